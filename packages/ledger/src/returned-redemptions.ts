/** One thing a checkout spent: points (a reward's price, or points redeemed) or wallet cash, and what it took off each line. */
export interface Redemption {
  points: number;
  wallet: number;
  /** Money it took off each line it covered (the quote's `applied[].lines`). */
  lines: readonly { lineNo: number; amount: number }[];
}

/** A sale line's price before discounts, and how much of that price the sale's refunds have taken back so far. */
export interface RefundedPrice {
  price: number;
  refunded: number;
}

export interface Spent {
  points: number;
  wallet: number;
}

/**
 * What a refund gives back of what its sale's checkout spent (`spent`, the hold's points and wallet cash), when the
 * sale's refunds, this one included, have taken back `lines` and earlier ones gave back `returned`.
 *
 * Each redemption comes back in proportion to the refunded share of the lines it covered, each line weighted by
 * what the redemption took off it: refunding the fries gives back the wallet cash that paid for the fries, not the
 * burger's, and refunding the burger gives back nothing of a free puff's reward. A line's refunded share is measured
 * on its price before discounts, so a line the checkout paid for entirely (nothing left to pay, nothing to refund in
 * money) is still refunded when the refund names it. A redemption that names no lines (none recorded) is shared over
 * the whole sale by price.
 *
 * Computed on the running totals: every refund aims at what all the refunds so far have earned back and gives
 * the difference from what was given back before, so a run of partial refunds never gives back more than was spent,
 * and refunding every line gives back exactly that.
 */
export function redemptionsToReturn(
  spent: Spent,
  redemptions: readonly Redemption[],
  lines: readonly RefundedPrice[],
  returned: Spent,
): Spent {
  const shareOfSale = coveredShare(
    lines.map((l, lineNo) => ({ lineNo, amount: l.price })),
    lines,
  );
  const earnedBack = (unit: keyof Spent): number => {
    if (spent[unit] <= 0) return 0;
    const weighted = redemptions.filter((r) => r[unit] > 0);
    const weight = weighted.reduce((sum, r) => sum + r[unit], 0);
    // The hold's amount is what was spent: the quote's redemptions only say how it splits over the lines.
    const share =
      weight > 0
        ? weighted.reduce(
            (sum, r) => sum + r[unit] * (r.lines.length ? coveredShare(r.lines, lines) : shareOfSale),
            0,
          ) / weight
        : shareOfSale;
    // Floored with room for float noise (a share of exactly a third times 300 is 100, not 99).
    return share >= 1 ? spent[unit] : Math.min(spent[unit], Math.floor(spent[unit] * share + 1e-9));
  };
  const give = (unit: keyof Spent) => Math.max(0, earnedBack(unit) - Math.max(0, returned[unit]));
  return { points: give("points"), wallet: give("wallet") };
}

/** The refunded share (0-1) of `covered`, each line counting by its amount there; 1 once every covered line is refunded. */
function coveredShare(covered: Redemption["lines"], lines: readonly RefundedPrice[]): number {
  let total = 0;
  let refunded = 0;
  let whole = true;
  for (const c of covered) {
    if (!(c.amount > 0)) continue;
    const s = lineShare(lines[c.lineNo]);
    total += c.amount;
    refunded += c.amount * s;
    if (s < 1) whole = false;
  }
  if (total === 0) return 0;
  return whole ? 1 : refunded / total;
}

function lineShare(line: RefundedPrice | undefined): number {
  if (!line || !(line.price > 0)) return 0;
  return Math.min(1, Math.max(0, line.refunded) / line.price);
}

/** A refund line as the share arithmetic needs it: the sale line it names (or only its sku), and its price. */
export interface RefundedLineInput {
  lineNo: number | null;
  sku: string;
  /** quantity × unitPrice: the price refunded, before discounts. */
  price: number;
}

/** A sale line: its sku, its price before discounts, and the money paid for it and refunded of that so far. */
export interface SaleLinePrice {
  sku: string;
  price: number;
  paid: number;
  paidRefunded: number;
}

/**
 * How much of each sale line's price (before discounts) its refunds took back: by the refund lines known
 * (`refunds`, earlier ones first), and at least the share of the paid money refunded (which counts every refund,
 * those whose lines are not known too). A line named by number is that line; a line named by sku alone fills the
 * sale's lines with that sku in order, each up to its price, as `matchRefundLines` fills them with money.
 */
export function refundedPrices(sale: readonly SaleLinePrice[], refunds: readonly RefundedLineInput[]): RefundedPrice[] {
  const out = sale.map((l) => ({ price: l.price, refunded: 0 }));
  for (const r of refunds) {
    const named = r.lineNo === null ? undefined : out[r.lineNo];
    if (named) {
      named.refunded += r.price;
      continue;
    }
    let need = r.price;
    for (const [i, l] of sale.entries()) {
      if (need <= 0) break;
      if (l.sku !== r.sku) continue;
      const take = Math.min(need, Math.max(0, l.price - out[i]!.refunded));
      out[i]!.refunded += take;
      need -= take;
    }
  }
  return out.map((o, i) => {
    const { paid, paidRefunded } = sale[i]!;
    const byMoney = paid > 0 ? (o.price * Math.min(paid, paidRefunded)) / paid : 0;
    return { price: o.price, refunded: Math.min(o.price, Math.max(o.refunded, byMoney)) };
  });
}

/**
 * Whether the sale's refunds took back every line in full, each measured on its price before discounts (as
 * `refundedPrices` has them): what a sale's coupons gave (a use, a credit) comes back with the whole sale only, so a
 * line the checkout paid for entirely counts once a refund names it, and refunding one line of a sale paid without
 * money is not refunding the sale. Null when no line has a price to measure (a sale stored without lines): the caller
 * then decides by money.
 */
export function everyLineRefunded(lines: readonly RefundedPrice[]): boolean | null {
  const priced = lines.filter((l) => l.price > 0);
  return priced.length ? priced.every((l) => l.refunded >= l.price) : null;
}
