/**
 * Spreading a discount over basket lines in integer cents. Amounts go through BigInt: a discount times
 * a line's amount can pass 2^53 (10^12 × 10^13), where floating point would lose cents.
 */

/**
 * Splits `amount` over lines in proportion to `weights` (what is left of each line; 0 for a line the
 * discount does not cover). Each line gets the floor of its exact share, and the cents still missing go
 * to the largest remainders, ties to the lower line number. The parts sum exactly to
 * min(amount, Σ weights), and no part exceeds its weight: a line whose exact share is whole gets no extra
 * cent, and fewer cents are missing than there are lines with a fractional share.
 */
export function allocate(amount: number, weights: readonly number[]): number[] {
  const total = weights.reduce((s, w) => s + w, 0);
  const target = Math.min(Math.max(0, amount), total);
  if (target === 0) return weights.map(() => 0);
  const big = BigInt(target);
  const bigTotal = BigInt(total);
  const parts = weights.map((w) => Number((big * BigInt(w)) / bigTotal));
  const remainders = weights.map((w, lineNo) => ({ lineNo, rest: (big * BigInt(w)) % bigTotal }));
  let missing = target - parts.reduce((s, p) => s + p, 0);
  remainders.sort((a, b) => (a.rest === b.rest ? a.lineNo - b.lineNo : a.rest > b.rest ? -1 : 1));
  for (const { lineNo } of remainders) {
    if (missing === 0) break;
    parts[lineNo]! += 1;
    missing -= 1;
  }
  return parts;
}

/** Each line's amount before anything of ours: quantity × unitPrice − the terminal's own discount, never below 0. */
export function lineAmounts(lines: readonly { quantity: number; unitPrice: number; discount: number }[]): number[] {
  return lines.map((l) => Math.max(0, l.quantity * l.unitPrice - l.discount));
}

/** What is left of each line once `parts` are taken off it. */
export function subtractParts(left: readonly number[], parts: readonly number[]): number[] {
  return left.map((l, i) => l - (parts[i] ?? 0));
}

export const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);

/** The lines a benefit touched, as AppliedBenefit.lines lists them (only those that got something). */
export function partsByLine(parts: readonly number[]): { lineNo: number; amount: number }[] {
  const out: { lineNo: number; amount: number }[] = [];
  parts.forEach((amount, lineNo) => {
    if (amount > 0) out.push({ lineNo, amount });
  });
  return out;
}
