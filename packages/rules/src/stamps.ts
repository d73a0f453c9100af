import type { StampCard } from "@regulars/contracts";
import { matchesLine, paidAmount, paidUnits } from "./eligibility.ts";
import type { BasketLine } from "./types.ts";

/**
 * A line as a stamp card reads it. `walletPaid` is the part of `discount` the customer paid with wallet cash: their
 * own money (a refund gives it back as it gives back a card payment), so it stamps, though it earns no points.
 */
export type StampLine = Pick<BasketLine, "sku" | "category" | "tags" | "quantity" | "unitPrice" | "discount"> & {
  walletPaid?: number;
};

/** The wallet cash in a line's discount, never above it: the part that stamps though the till took it off. */
const walletShare = (l: StampLine) => Math.min(l.discount, Math.max(0, l.walletPaid ?? 0));

/** The line with only what is not the customer's money (rewards, points, coupons, the till's own) taken off. */
const paidForStamps = (l: StampLine): StampLine => ({ ...l, discount: l.discount - walletShare(l) });

/**
 * The wallet cash that paid each line, recorded with a sale's stamps (`SaleEffects.walletPaid`): a refund must name
 * such a line before it takes the visit back, as it must a line paid in money. Undefined when the wallet paid no line.
 */
export function walletPaidPerLine(lines: readonly StampLine[]): number[] | undefined {
  const wallet = lines.map(walletShare);
  return wallet.some((w) => w > 0) ? wallet : undefined;
}

/**
 * Stamps a sale earns on a card. Only what the customer paid something for counts, so the free 10th
 * coffee does not stamp the card it redeemed, also when it shares a line with paid ones. Wallet cash counts as paid.
 * Earning exclusions do not apply: a card has its own match.
 * `visit`: 1 when the basket's paid amount ≥ minAmount and (with a match) some paid line matches.
 * `item`: the units paid toward (`paidUnits`) on matching lines (all lines without a match), if the basket
 * reaches minAmount.
 */
export function stampsEarned(card: StampCard, input: { lines: readonly StampLine[] }): number {
  if (!card.enabled) return 0;
  const paid = input.lines.map(paidForStamps).filter((l) => paidAmount(l) > 0);
  const total = paid.reduce((sum, l) => sum + paidAmount(l), 0);
  if (paid.length === 0 || total < card.minAmount) return 0;
  const matching = card.match === undefined ? paid : paid.filter((l) => matchesLine(card.match!, l));
  if (card.per === "visit") return matching.length > 0 ? 1 : 0;
  return matching.reduce((sum, l) => sum + paidUnits(l), 0);
}

/**
 * Adds stamps with carry-over: 9 + 3 with 10 required → 1 completion and 2 stamps on the new card.
 * A negative `add` (reversal) takes stamps off the current card only, never below 0, and never undoes
 * a completion: the reward may already be in the customer's hands.
 */
export function applyStamps(
  stampsBefore: number,
  add: number,
  required: number,
): { stamps: number; completions: number } {
  if (!Number.isInteger(required) || required < 1)
    throw new RangeError(`stampsRequired must be a positive integer, got ${required}`);
  const total = Math.max(0, stampsBefore + add);
  return { stamps: total % required, completions: Math.floor(total / required) };
}

/** Units each line stamps on an item card (all zeros for a visit card), so a refund can take them back by line. */
export function stampsPerLine(card: StampCard, input: { lines: readonly StampLine[] }): number[] {
  if (card.per !== "item" || stampsEarned(card, input) === 0) return input.lines.map(() => 0);
  return input.lines.map((l) =>
    card.match === undefined || matchesLine(card.match, l) ? paidUnits(paidForStamps(l)) : 0,
  );
}
