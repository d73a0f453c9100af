import { type Bus, consumerBacklog } from "@regulars/bus";

/** Transactions on the stream the ledger has not acknowledged yet (pending + in flight). */
export function ledgerBacklog(bus: Bus): Promise<number> {
  return consumerBacklog(bus, bus.topology.streams.transactions, bus.topology.consumers.ledger);
}

export interface DrainOptions {
  bus: Bus;
  /** Backlog measured when the load started: what the ledger owed before we added anything. */
  baseline: number;
  timeoutMs: number;
  pollMs?: number;
  /** Give up early when the backlog has not moved for this long: the ledger is not running. */
  stallMs?: number;
  onProgress?: (p: { elapsedSec: number; remaining: number }) => void;
  signal?: AbortSignal;
}

export interface DrainResult {
  drained: boolean;
  seconds: number;
  /** Messages of the load's worth still owed when we stopped waiting (0 when drained). */
  remaining: number;
  /** Owed when the load stopped: what the ledger had fallen behind by. */
  atLoadEnd: number;
  reason?: string;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener("abort", wake, { once: true });
  });

/**
 * Waits until the ledger has worked off as many messages as the load added, i.e. until the backlog is
 * back to its level at load start. Counting work rather than particular messages keeps the figure honest
 * when an earlier backlog was still draining: the ledger applies in stream order either way.
 */
export async function waitForLedgerDrain(opts: DrainOptions): Promise<DrainResult> {
  const pollMs = opts.pollMs ?? 250;
  const stallMs = opts.stallMs ?? 60_000;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1_000;
  let lastChange = started;
  let last = Number.NaN;
  let lastReport = 0;
  let atLoadEnd: number | null = null;

  for (;;) {
    const remaining = Math.max(0, (await ledgerBacklog(opts.bus)) - opts.baseline);
    atLoadEnd ??= remaining;
    if (remaining === 0) return { drained: true, seconds: elapsed(), remaining: 0, atLoadEnd };
    const now = performance.now();
    if (remaining !== last) {
      last = remaining;
      lastChange = now;
    }
    if (now - lastReport >= 1_000) {
      lastReport = now;
      opts.onProgress?.({ elapsedSec: elapsed(), remaining });
    }
    if (opts.signal?.aborted)
      return { drained: false, seconds: elapsed(), remaining, atLoadEnd, reason: "interrupted" };
    if (now - started >= opts.timeoutMs) {
      return {
        drained: false,
        seconds: elapsed(),
        remaining,
        atLoadEnd,
        reason: `gave up after ${Math.round(opts.timeoutMs / 1_000)} s with ${remaining} messages still pending`,
      };
    }
    if (now - lastChange >= stallMs) {
      return {
        drained: false,
        seconds: elapsed(),
        remaining,
        atLoadEnd,
        reason: `the backlog has not moved for ${Math.round(stallMs / 1_000)} s: is the ledger worker running?`,
      };
    }
    await sleep(pollMs, opts.signal);
  }
}
