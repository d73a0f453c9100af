/**
 * When a failed delivery is tried again: exponential backoff with jitter, for at most `windowMs` (24 h) after
 * its window began (enqueued, or replayed). The last attempt lands on the window's end, so a receiver that
 * comes back within the day still gets everything.
 */
export interface RetrySchedule {
  /** Wait after the first failed attempt. */
  firstDelayMs: number;
  /** Each wait is this many times the one before... */
  factor: number;
  /** ...up to this. */
  maxDelayMs: number;
  /** Share of a wait drawn at random and taken off it (0.2: 80-100 % of the wait), so retries of many
   * deliveries that failed together do not hit the receiver together again. */
  jitter: number;
  windowMs: number;
}

export const defaultRetrySchedule: RetrySchedule = {
  firstDelayMs: 5_000,
  factor: 3,
  maxDelayMs: 6 * 3_600_000,
  jitter: 0.2,
  windowMs: 24 * 3_600_000,
};

/** The wait after `failedAttempts` failed attempts (1 = after the first), before jitter. */
export function backoffMs(failedAttempts: number, schedule: RetrySchedule = defaultRetrySchedule): number {
  const exponent = Math.max(0, failedAttempts - 1);
  return Math.min(schedule.maxDelayMs, schedule.firstDelayMs * schedule.factor ** exponent);
}

/**
 * When to try again after `failedAttempts` failures at `now`, or null when the window is over (the delivery
 * has failed for good). `random` in [0, 1) draws the jitter; tests pass a fixed one.
 */
export function nextAttemptAt(
  failedAttempts: number,
  windowStartedAt: Date,
  now: Date,
  random: number = Math.random(),
  schedule: RetrySchedule = defaultRetrySchedule,
): Date | null {
  const deadline = windowStartedAt.getTime() + schedule.windowMs;
  if (now.getTime() >= deadline) return null;
  const wait = backoffMs(failedAttempts, schedule) * (1 - schedule.jitter * random);
  return new Date(Math.min(deadline, now.getTime() + Math.max(1, Math.round(wait))));
}
