/**
 * Points to take back for a refund, proportional to the money refunded. Computed on the running
 * total of refunds so several partial refunds never take back more (or less) than a full refund:
 * after refunding everything, exactly the originally earned points are reversed.
 */
export function pointsToReverse(input: {
  originalPoints: number;
  originalTotal: number;
  refundedBefore: number;
  refundTotal: number;
}): number {
  const { originalPoints, originalTotal, refundedBefore, refundTotal } = input;
  if (originalTotal <= 0 || originalPoints <= 0) return 0;
  // BigInt: points × cents passes 2^53 on very large sales, where floats would lose the last point.
  const share = (refunded: number) => Number((BigInt(originalPoints) * BigInt(Math.min(refunded, originalTotal))) / BigInt(originalTotal));
  return share(refundedBefore + refundTotal) - share(refundedBefore);
}

/** Money still refundable on a sale. */
export const refundableRemainder = (originalTotal: number, refundedBefore: number): number =>
  Math.max(0, originalTotal - refundedBefore);
