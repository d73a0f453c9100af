import type { ProgrammeConfig, Quote } from "@regulars/contracts";
import { allocate, sum } from "./allocate.ts";
import { refusal } from "./refusals.ts";

/** One line of a sale that committed a hold: its price, the discount the till posted, the checkout's discount. */
export interface CheckedOutLine {
  /** quantity × unitPrice, before any discount. */
  price: number;
  /** The discount the till posted on the line (its own and ours, however it spread ours). */
  posted: number;
  /** The discount the hold's quote put on the line (its points, wallet cash, coupons and rewards). */
  checkout: number;
}

/**
 * Per line, the discount a sale that committed a hold earns around: points earn on `price − discount`.
 *
 * The hold's check compares no discounts, so a till may move the checkout's discount to other lines than the quote.
 * Earning as posted would then let a line the checkout paid for (a free puff) earn, and a line that earns nothing
 * (an excluded burger) or earns less absorb its discount, so the sale earns more than on what the customer paid.
 * Posting at least the checkout's whole discount, each line keeps the checkout's discount where the quote put it, and
 * only what the till added beyond it (its total minus the checkout's) is spread over the lines it posted more on than
 * the checkout, in proportion to that excess, in whole cents (`allocate`): the sale earns on exactly what was paid.
 * Posting less (at list price, or part of it), each line takes the larger of the two: the checkout's discount counts
 * in full, and a line's own discount beyond it too. A line's discount never passes its price.
 */
export function earningDiscounts(lines: readonly CheckedOutLine[]): number[] {
  const posted = sum(lines.map((l) => l.posted));
  const checkout = sum(lines.map((l) => l.checkout));
  if (posted < checkout) return lines.map((l) => Math.min(l.price, Math.max(l.posted, l.checkout)));
  // Σ excess ≥ posted − checkout, and no line gets more than its excess: the whole addition is placed.
  const added = allocate(
    posted - checkout,
    lines.map((l) => Math.max(0, l.posted - l.checkout)),
  );
  return lines.map((l, i) => Math.min(l.price, l.checkout + added[i]!));
}

/** What a quote applies after its coupons (`priceCheckout`'s order): codes stacked after them find it not taken yet. */
const appliedAfterCoupons = new Set(["reward", "points", "wallet"]);

/**
 * Per line of a basket of `lineCount` lines, what a hold's quote had taken off it when its coupons were done: the
 * lines as codes stacked after those coupons find them, as a sale's posted codes stack after its hold's. That is the
 * terminal's own discount, the tier's and the coupons' (the quote's line discount less what rewards, points and wallet
 * cash took after the coupons). A quote stored before benefits recorded their lines tells no share of those: its
 * whole line discount stays taken, so a posted code is never counted on money the hold spent.
 */
export function discountsBeforeStackedCoupons(
  quote: {
    lines?: readonly { discount: number }[];
    applied: readonly { source: string; lines?: readonly { lineNo: number; amount: number }[] }[];
  },
  lineCount: number,
): number[] {
  const taken = Array.from({ length: lineCount }, (_, lineNo) => quote.lines?.[lineNo]?.discount ?? 0);
  for (const benefit of quote.applied)
    if (appliedAfterCoupons.has(benefit.source))
      for (const part of benefit.lines ?? []) if (part.lineNo < lineCount) taken[part.lineNo]! -= part.amount;
  return taken.map((t) => Math.max(0, t));
}

/**
 * The programme giving no tier discount, its levels kept: pricing lines whose tier discount a hold's quote took
 * already must not take it again, yet a coupon limited to some tiers still needs the customer's.
 */
export function withoutTierDiscount(programme: ProgrammeConfig | null): ProgrammeConfig | null {
  const tiers = programme?.tiers;
  if (!programme || !tiers) return programme;
  const levels = tiers.levels.map((level) => ({ ...level, benefits: { ...level.benefits, discountPercent: 0 } }));
  return { ...programme, tiers: { ...tiers, levels } };
}

/**
 * Per line of a sale that committed a hold, what the hold's whole quote left to pay on it: its price less the quote's
 * line discount (the till's own, the tier's, the coupons', and the rewards', points' and wallet cash's). A quote that
 * tells no lines leaves each line's whole price: nothing is known taken.
 */
export function leftAfterQuote(
  quote: { lines?: readonly { discount: number }[] },
  lines: readonly { quantity: number; unitPrice: number }[],
): number[] {
  return lines.map((l, i) => Math.max(0, l.quantity * l.unitPrice - (quote.lines?.[i]?.discount ?? 0)));
}

/**
 * The quote of the codes a sale posted beside its hold, each code held to what is still unpaid on each line. They are
 * priced stacked after the hold's coupons and before its rewards, points and wallet cash, as a quote selecting them
 * would price them (`discountsBeforeStackedCoupons`). But those came committed with the hold and cannot be given back
 * now. So each code keeps, line by line, only what the hold's quote (`left`, `leftAfterQuote`) and the codes before it
 * left: a second free fries beside the hold's free-fries reward takes nothing and is refused `nothing_to_discount`
 * (not counted, its use kept), and 10% off beside points that paid nearly all of the basket takes only what was still
 * to pay. Credits (bonus points, wallet cash) take no line and stay whole. Only `applied` and `coupons` change: the
 * caller reads the codes' outcomes, not the quote's totals.
 */
export function heldToWhatIsLeft(quote: Quote, left: readonly number[]): Quote {
  const unpaid = [...left];
  const emptied = new Set<string>();
  const applied = quote.applied.flatMap((benefit) => {
    if (benefit.source !== "coupon" || !benefit.lines.length) return [benefit];
    const lines = benefit.lines.flatMap((part) => {
      const amount = Math.min(part.amount, unpaid[part.lineNo] ?? 0);
      if (amount > 0) unpaid[part.lineNo]! -= amount;
      return amount > 0 ? [{ ...part, amount }] : [];
    });
    if (!lines.length && benefit.ref) emptied.add(benefit.ref);
    return lines.length ? [{ ...benefit, lines, amount: sum(lines.map((l) => l.amount)) }] : [];
  });
  const coupons = quote.coupons.map((option) =>
    option.selected && emptied.has(option.code)
      ? { ...option, applicable: false, refusal: refusal("nothing_to_discount") }
      : option,
  );
  return { ...quote, applied, coupons };
}
