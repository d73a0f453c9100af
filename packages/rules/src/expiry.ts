import type { ExpiryPolicy } from "@regulars/contracts";
import { addMonthsLocal, type Instant } from "./time.ts";

const DAY_MS = 86_400_000;

/**
 * When a lot earned at `earnedAtIso` expires: after_earning keeps the local wall time N months later
 * (across DST changes; Jan 31 + 1 month → Feb 28/29). Inactivity expiry depends on later activity, so
 * a lot has no date of its own under that policy (see `inactivityExpiry`); `none` never expires.
 */
export function expiresAt(policy: ExpiryPolicy, earnedAtIso: Instant, timezone: string): Date | null {
  return policy.kind === "after_earning" ? addMonthsLocal(earnedAtIso, policy.months, timezone) : null;
}

/** Inactivity: all points expire N months after the last purchase; each purchase moves the date. */
export function inactivityExpiry(policy: ExpiryPolicy, lastActivityIso: Instant, timezone: string): Date | null {
  return policy.kind === "inactivity" ? addMonthsLocal(lastActivityIso, policy.months, timezone) : null;
}

/**
 * When to announce an expiry: `noticeDays` × 24 h before it. Elapsed days rather than local days,
 * because the signature carries no zone; across a DST change the notice is an hour off local wall time,
 * which a notice tolerates (delivery times are set by the campaign, e.g. 18:00 local).
 */
export function noticeAt(expiry: Date, noticeDays: number): Date {
  return new Date(expiry.getTime() - Math.max(0, noticeDays) * DAY_MS);
}
