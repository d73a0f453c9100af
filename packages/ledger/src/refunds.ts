/** Money still refundable on a sale. */
export const refundableRemainder = (originalTotal: number, refundedBefore: number): number =>
  Math.max(0, originalTotal - refundedBefore);
