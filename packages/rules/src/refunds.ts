import { floorForgivingNoise } from "./rounding.ts";

/**
 * Refunds, as pure arithmetic. A POS names each refunded line by the sale's line number (`lineNo`, the
 * 0-based position in the sale's `lines`) or, without one, by SKU compared exactly as stored. What is
 * refunded of a line is measured by money: refunding half a line's price reverses half its points.
 * Everything is computed on the running total of a sale's refunds, so a sequence of partial refunds
 * never takes back more than the sale gave, and refunding everything takes back exactly that.
 */

export interface SaleLineForRefund {
  sku: string;
  /** What the customer paid for the line (after discounts). */
  amount: number;
}

export interface RefundLineInput {
  lineNo?: number | null;
  sku: string;
  /** Money refunded for this line: quantity × unitPrice − discount as posted. */
  amount: number;
}

export interface MatchedRefundLine {
  /** Index of the refund's own line. */
  refundLine: number;
  /** The sale line it takes back. */
  lineNo: number;
  amount: number;
}

export type RefundMatch =
  | { ok: true; lines: MatchedRefundLine[] }
  | { ok: false; code: "refund_line_not_in_sale" | "refund_exceeds_sale"; path: string; message: string };

/**
 * Which sale line each refund line takes back, refusing lines the sale never had and money beyond what
 * is left to refund on a line. Without `lineNo`, a SKU's refunded money is taken from its lines in order.
 */
export function matchRefundLines(
  saleLines: readonly SaleLineForRefund[],
  refundedBefore: readonly number[],
  refund: readonly RefundLineInput[],
): RefundMatch {
  const left = saleLines.map((l, i) => Math.max(0, l.amount - (refundedBefore[i] ?? 0)));
  const matched: MatchedRefundLine[] = [];
  for (const [k, r] of refund.entries()) {
    const path = `lines.${k}`;
    if (r.lineNo !== undefined && r.lineNo !== null) {
      const sold = saleLines[r.lineNo];
      if (!sold)
        return {
          ok: false,
          code: "refund_line_not_in_sale",
          path: `${path}.lineNo`,
          message: `the sale has no line ${r.lineNo} (it has lines 0-${saleLines.length - 1})`,
        };
      if (sold.sku !== r.sku)
        return {
          ok: false,
          code: "refund_line_not_in_sale",
          path: `${path}.sku`,
          message: `line ${r.lineNo} of the sale is ${JSON.stringify(sold.sku)}, not ${JSON.stringify(r.sku)}`,
        };
      if (r.amount > left[r.lineNo]!)
        return {
          ok: false,
          code: "refund_exceeds_sale",
          path: `${path}`,
          message: `refunds ${r.amount} of line ${r.lineNo}, which has ${left[r.lineNo]} left to refund`,
        };
      left[r.lineNo]! -= r.amount;
      matched.push({ refundLine: k, lineNo: r.lineNo, amount: r.amount });
      continue;
    }
    const candidates = saleLines.map((_l, i) => i).filter((i) => saleLines[i]!.sku === r.sku);
    if (!candidates.length)
      return {
        ok: false,
        code: "refund_line_not_in_sale",
        path: `${path}.sku`,
        message: `the sale has no line with sku ${JSON.stringify(r.sku)}`,
      };
    const available = candidates.reduce((sum, i) => sum + left[i]!, 0);
    if (r.amount > available)
      return {
        ok: false,
        code: "refund_exceeds_sale",
        path,
        message: `refunds ${r.amount} of sku ${JSON.stringify(r.sku)}, which has ${available} left to refund`,
      };
    let need = r.amount;
    let named = false;
    for (const i of candidates) {
      if (named && need === 0) break;
      const take = Math.min(need, left[i]!);
      if (take === 0 && need > 0) continue; // this line is refunded already; the next one with the sku
      // A free item (0 refunded) still names a line, so the units it stamped can be taken back.
      left[i]! -= take;
      need -= take;
      named = true;
      matched.push({ refundLine: k, lineNo: i, amount: take });
    }
  }
  return { ok: true, lines: matched };
}

/** Money refunded per sale line after adding `refund` to `before`. */
export function refundedAfter(
  before: readonly number[],
  lineCount: number,
  refund: readonly MatchedRefundLine[],
): number[] {
  const after = Array.from({ length: lineCount }, (_, i) => before[i] ?? 0);
  for (const r of refund) after[r.lineNo] = (after[r.lineNo] ?? 0) + r.amount;
  return after;
}

/** Share of each line refunded so far (0-1); a line that cost nothing counts as refunded once named. */
function fractions(
  saleLines: readonly SaleLineForRefund[],
  refunded: readonly number[],
  named: ReadonlySet<number> = new Set(),
): number[] {
  return saleLines.map((l, i) => (l.amount > 0 ? Math.min(1, (refunded[i] ?? 0) / l.amount) : named.has(i) ? 1 : 0));
}

export interface RefundReversalInput {
  /** What the sale earned (after floors, basket-level points and caps). */
  awardedPoints: number;
  /**
   * Per sale line: its paid amount, its points and whether it was eligible, from the stored explanation
   * (points fractional ok; `eligible` unknown counts as eligible).
   */
  saleLines: readonly (SaleLineForRefund & { points: number; eligible?: boolean })[];
  /** Money refunded per sale line by earlier refunds. */
  refundedBefore: readonly number[];
  refund: readonly MatchedRefundLine[];
}

/**
 * Points to reverse. The award is spread over the sale's lines in proportion to each line's points, so
 * basket-level points (slabs, per visit) and caps are shared out too, and a line that earned nothing
 * (alcohol, paid with a reward) reverses nothing; without line points it is spread by the paid amount of
 * the eligible lines, as basket-level points were earned on those alone.
 */
export function refundReversal(input: RefundReversalInput): number {
  const awarded = input.awardedPoints;
  if (!(awarded > 0)) return 0;
  // A line that cost nothing earned nothing (eligibility needs a paid amount) and has no money to refund.
  const byPoints = input.saleLines.some((l) => l.amount > 0 && l.points > 0);
  // A record that marks every paid line ineligible yet awarded points is inconsistent; spreading over all its
  // paid lines then still lets a full refund reverse exactly the award.
  const byEligibleAmount = input.saleLines.some((l) => l.amount > 0 && l.eligible !== false);
  const weights = input.saleLines.map((l) => {
    if (!(l.amount > 0)) return 0;
    if (byPoints) return Math.max(0, l.points);
    return byEligibleAmount && l.eligible === false ? 0 : l.amount;
  });
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) return 0;
  const after = refundedAfter(input.refundedBefore, input.saleLines.length, input.refund);
  const upTo = (refunded: readonly number[]) => {
    const f = fractions(input.saleLines, refunded);
    if (weights.every((w, i) => w === 0 || f[i] === 1)) return awarded; // exact, whatever float division says
    const share = (awarded * weights.reduce((sum, w, i) => sum + w * f[i]!, 0)) / total;
    return Math.min(awarded, floorForgivingNoise(share));
  };
  return Math.max(0, upTo(after) - upTo(input.refundedBefore));
}

/**
 * Whether a sale's refunds void it as an order, by the store's rule (ledger-store `voided-sales.ts`, which the
 * order-count tier basis and the tier job read): a sale that cost money once they gave back all of it (`money`, their
 * totals); a sale paid without money (total 0), which they cannot measure by money, once they named every one of its
 * lines (`linesNamed`, their `refunds_line_no`). Refunding one line of a meal paid with points is not refunding the meal.
 */
export function orderVoided(
  sale: { total: number; lines: readonly unknown[] },
  refunds: { money: number; linesNamed: ReadonlySet<number>; count: number },
): boolean {
  if (sale.total > 0) return refunds.money >= sale.total;
  return refunds.count > 0 && sale.lines.every((_, lineNo) => refunds.linesNamed.has(lineNo));
}
