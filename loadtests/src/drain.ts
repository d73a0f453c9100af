export interface DrainOptions {
  /** What the ledger still owes of this load (see ledger-progress.ts). */
  owed: () => Promise<number>;
  timeoutMs: number;
  /** Shortest wait between two counts (default 100 ms); the longest is `maxPollMs` (default 1 s). */
  pollMs?: number;
  maxPollMs?: number;
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
 * How long to wait before counting again. Against a running system what is owed is counted in Postgres, a scan
 * that grows with the load (about 40 ms at 100k transactions), taken from the ledger being measured: four counts
 * a second took a tenth of a core from Postgres. So the count comes about twice before the drain is expected to
 * end at the rate seen so far (at most once a second), and quickly near the end, where the drain time is read.
 */
export function nextPollMs(remaining: number, perSec: number, minMs: number, maxMs: number): number {
  if (!(perSec > 0)) return minMs;
  return Math.min(maxMs, Math.max(minMs, Math.round((500 * remaining) / perSec)));
}

/**
 * Waits until the ledger has worked off what the load added. Gives up after `timeoutMs`, or earlier when
 * nothing moved for `stallMs` (the ledger is not running).
 */
export async function waitForLedgerDrain(opts: DrainOptions): Promise<DrainResult> {
  const pollMs = opts.pollMs ?? 100;
  const maxPollMs = Math.max(pollMs, opts.maxPollMs ?? 1_000);
  const stallMs = opts.stallMs ?? 60_000;
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1_000;
  let lastChange = started;
  let last = Number.NaN;
  let perSec = 0;
  let lastCount: { at: number; remaining: number } | null = null;
  let lastReport = 0;
  let atLoadEnd: number | null = null;

  for (;;) {
    const remaining = await opts.owed();
    atLoadEnd ??= remaining;
    if (remaining === 0) return { drained: true, seconds: elapsed(), remaining: 0, atLoadEnd };
    const now = performance.now();
    if (lastCount && now > lastCount.at) perSec = ((lastCount.remaining - remaining) * 1_000) / (now - lastCount.at);
    lastCount = { at: now, remaining };
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
    await sleep(nextPollMs(remaining, perSec, pollMs, maxPollMs), opts.signal);
  }
}
