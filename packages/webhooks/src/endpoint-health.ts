/**
 * When an endpoint that keeps failing is switched off: every attempt to it has failed for `afterMs` (a day, as
 * long as one delivery's retries last) and at least `minFailures` times, so one slow night of few events or one
 * bad minute never disables a working receiver. Any success resets the streak.
 */
export interface DisablePolicy {
  afterMs: number;
  minFailures: number;
}

export const defaultDisablePolicy: DisablePolicy = { afterMs: 24 * 3_600_000, minFailures: 10 };

export interface FailureStreak {
  consecutiveFailures: number;
  /** The first failure since the last success; null while the endpoint works. */
  failingSince: Date | null;
}

export function shouldDisable(streak: FailureStreak, now: Date, policy: DisablePolicy = defaultDisablePolicy): boolean {
  if (!streak.failingSince) return false;
  return (
    streak.consecutiveFailures >= policy.minFailures && now.getTime() - streak.failingSince.getTime() >= policy.afterMs
  );
}
