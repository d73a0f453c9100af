/** Nearest-rank percentile (p in 0..100) of unsorted values; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface Distribution {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

export function distribution(values: readonly number[]): Distribution {
  return {
    count: values.length,
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : null,
  };
}

/**
 * How many arrivals are planned by `elapsedMs`: the rate rises linearly from 0 over the first `rampSec`, then
 * holds. Freshly started processes are not hit at full rate at once (a backlog built while they run cold code
 * would still be draining when the measurement starts), as a load tester's ramping arrival rate does.
 */
export function plannedArrivals(elapsedMs: number, ratePerSec: number, rampSec = 0): number {
  const t = elapsedMs / 1_000;
  if (rampSec <= 0) return Math.floor(t * ratePerSec);
  if (t <= rampSec) return Math.floor((ratePerSec * t * t) / (2 * rampSec));
  return Math.floor(ratePerSec * (t - rampSec / 2));
}

/**
 * How many requests are due now at the planned arrival rate (an open model, like tills: arrivals do not wait for
 * answers), given how many were sent so far. Catching up after a late timer keeps the average rate exact.
 */
export function dueNow(elapsedMs: number, ratePerSec: number, sent: number, total: number, rampSec = 0): number {
  const planned = Math.min(total, plannedArrivals(elapsedMs, ratePerSec, rampSec));
  return Math.max(0, planned - sent);
}

/** The visible latency is also shown by this many seconds of measured arrivals. */
export const visibleWindowSec = 10;

/**
 * The distribution of each `windowSec` of samples by when they were sent (seconds from the start of the measured
 * arrivals): whether the tail is spread over the run or comes from one stretch of it (a cold start, a stall).
 */
export function byWindow(
  samples: readonly { sentSec: number; ms: number }[],
  windowSec: number,
): { fromSec: number; ms: Distribution }[] {
  const windows = new Map<number, number[]>();
  for (const s of samples) {
    const from = Math.floor(Math.max(0, s.sentSec) / windowSec) * windowSec;
    const own = windows.get(from);
    if (own) own.push(s.ms);
    else windows.set(from, [s.ms]);
  }
  return [...windows].sort(([a], [b]) => a - b).map(([fromSec, ms]) => ({ fromSec, ms: distribution(ms) }));
}
