import type { PostedCouponOutcome } from "@regulars/contracts";

/**
 * What became of a sale's posted coupon codes is kept in its stored explanation, beside the earning (an
 * anonymous sale earns nothing: then the codes alone), so the transaction's status can tell the integrator
 * which codes did not count and why, without a column of their own.
 */
export function explanationWithCouponCodes(earning: object | null, couponCodes: PostedCouponOutcome[]): object | null {
  return couponCodes.length ? { ...earning, couponCodes } : earning;
}

/** The posted codes' outcomes read back from a stored explanation; none for a refund or a sale without codes. */
export function couponCodesOf(explanation: unknown): PostedCouponOutcome[] {
  const stored = (explanation as { couponCodes?: PostedCouponOutcome[] } | null)?.couponCodes;
  return Array.isArray(stored) ? stored : [];
}
