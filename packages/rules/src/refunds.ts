export interface RefundReversalInput {
  /** What the sale earned (after floors, basket-level points and caps). */
  awardedPoints: number;
  /** points: the line's points from the stored explanation (fractional ok). */
  saleLines: { sku: string; quantity: number; amount: number; points: number }[];
  /** Earlier refunds of this sale, by line sku. */
  refundedBefore: { sku: string; quantity: number }[];
  refund: { sku: string; quantity: number; amount: number }[];
}

interface SkuShare {
  quantity: number;
  weight: number;
}

const totalBySku = (lines: readonly { sku: string; quantity: number }[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const l of lines) m.set(l.sku, (m.get(l.sku) ?? 0) + Math.max(0, l.quantity));
  return m;
};

/**
 * Points to reverse for a refund. The awarded points are spread over the sale's lines in proportion to
 * each line's points, so basket-level points (slabs, per visit) and caps are shared out too, and a line
 * that earned nothing (alcohol, fully reward-paid) reverses nothing. A line's refunded share is by
 * quantity (its discount is spread evenly over its units; `refundedBefore` only carries quantities),
 * so `refund.amount` is not used. Computed on the running total of refunds and floored once: every
 * refund reverses ≥ 0, the reversals of any sequence of refunds never sum past `awardedPoints`, and
 * once every earning line is fully refunded they sum to exactly `awardedPoints`.
 */
export function refundReversal(input: RefundReversalInput): number {
  const awarded = input.awardedPoints;
  if (!(awarded > 0)) return 0;
  const shares = sharesBySku(input.saleLines);
  if (shares === null) return 0;
  const before = totalBySku(input.refundedBefore);
  const after = totalBySku([...input.refundedBefore, ...input.refund]);
  return reversedUpTo(awarded, shares, after) - reversedUpTo(awarded, shares, before);
}

/** Weights per sku: line points, or paid amounts when no line carries points (only basket-level points). */
function sharesBySku(saleLines: RefundReversalInput["saleLines"]): Map<string, SkuShare> | null {
  const byPoints = saleLines.reduce((s, l) => s + Math.max(0, l.points), 0) > 0;
  const shares = new Map<string, SkuShare>();
  let total = 0;
  for (const l of saleLines) {
    const weight = Math.max(0, byPoints ? l.points : l.amount);
    const s = shares.get(l.sku) ?? { quantity: 0, weight: 0 };
    s.quantity += Math.max(0, l.quantity);
    s.weight += weight;
    shares.set(l.sku, s);
    total += weight;
  }
  return total > 0 ? shares : null;
}

/** Points reversed once `refunded` quantities per sku have been refunded in total. */
function reversedUpTo(awarded: number, shares: Map<string, SkuShare>, refunded: Map<string, number>): number {
  let weighted = 0;
  let total = 0;
  let complete = true;
  for (const [sku, s] of shares) {
    total += s.weight;
    if (s.weight === 0) continue;
    const fraction = s.quantity > 0 ? Math.min(1, (refunded.get(sku) ?? 0) / s.quantity) : 1;
    if (fraction < 1) complete = false;
    weighted += s.weight * fraction;
  }
  if (complete) return awarded; // exact, whatever float division would say
  const share = (awarded * weighted) / total;
  return Math.min(awarded, Math.floor(share + 1e-9 * Math.max(1, share)));
}
