export interface DrainOptions {
  /** What the ledger still owes of this load (see ledger-progress.ts). */
  owed: () => Promise<number>;
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
  /** Transactions of the load still owed when we stopped waiting (0 when drained). */
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
 * Waits until the ledger has worked off what the load added. Gives up after `timeoutMs`, or earlier when
 * nothing moved for `stallMs` (the ledger is not running).
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
    const remaining = await opts.owed();
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
        reason: `gave up after ${Math.round(opts.timeoutMs / 1_000)} s with ${remaining} transactions still to apply`,
      };
    }
    if (now - lastChange >= stallMs) {
      return {
        drained: false,
        seconds: elapsed(),
        remaining,
        atLoadEnd,
        reason: `the backlog has not moved for ${Math.round(stallMs / 1_000)} s: are the ledger workers running?`,
      };
    }
    await sleep(pollMs, opts.signal);
  }
}
