import type { Quote } from "@regulars/contracts";

/**
 * How many `unknown_code` answers one credential (an API key, or a staff member's session) gets before its
 * checkouts that carry codes are refused until the window has passed. A unique code is one of a million
 * combinations: a till quoting as fast as it can would otherwise learn which codes exist.
 */
export interface UnknownCodeLimit {
  /** Unknown codes answered within one window; once reached, the credential's checkouts with codes are refused. */
  limit: number;
  windowSeconds: number;
}

/**
 * 20 in 10 minutes: far more mistyped codes than a busy till makes, and at most about 2,900 guesses a day
 * per key, where one real code in a million combinations takes a million.
 */
export const unknownCodeDefaults: UnknownCodeLimit = { limit: 20, windowSeconds: 600 };

/** A credential's count of unknown codes since its window started. */
export interface UnknownCodeCount {
  windowStartedAt: Date;
  misses: number;
}

/** Whether a count belongs to the window in force at `now` (a count from an earlier window is no longer counted). */
export const inWindow = (count: UnknownCodeCount, limit: UnknownCodeLimit, now: Date): boolean =>
  now.getTime() < count.windowStartedAt.getTime() + limit.windowSeconds * 1000;

/**
 * Seconds until the credential may try `codes` codes again; null when it may now. Codes are refused when, were
 * they all unknown, they would take the count past the limit: however they are batched (up to 20 a checkout),
 * no credential is told more than `limit` times in a window that a code does not exist.
 */
export function secondsUntilCodesAllowed(
  count: UnknownCodeCount | null,
  codes: number,
  limit: UnknownCodeLimit,
  now: Date,
): number | null {
  if (!count || codes === 0 || count.misses + codes <= limit.limit || !inWindow(count, limit, now)) return null;
  const wait = count.windowStartedAt.getTime() + limit.windowSeconds * 1000 - now.getTime();
  return Math.max(1, Math.ceil(wait / 1000));
}

/** The typed codes a quote answered `unknown_code`: what the credential learnt does not exist. */
export const unknownCodesIn = (quote: Pick<Quote, "coupons">): number =>
  quote.coupons.filter((c) => c.selected && c.refusal?.code === "unknown_code").length;
