import type { BasketLine, Benefit, LineMatch } from "@regulars/contracts";
import { matchesLine } from "@regulars/rules";
import { allocate, sum } from "./allocate.ts";

/** Benefits that take money off the basket (the others credit points or wallet cash later). */
export type DiscountBenefit = Extract<Benefit, { kind: "percent_off" | "fixed_off" | "free_item" }>;

export const isDiscount = (b: Benefit): b is DiscountBenefit =>
  b.kind === "percent_off" || b.kind === "fixed_off" || b.kind === "free_item";

type MatchableLine = Pick<BasketLine, "sku" | "category" | "tags">;

/** Which lines a benefit covers: all of them without `match`. */
export function coveredLines(match: LineMatch | undefined, lines: readonly MatchableLine[]): boolean[] {
  return lines.map((l) => match === undefined || matchesLine(match, l));
}

/** The line match a discount needs to find in the basket, if it names one. */
export const discountMatch = (b: Benefit): LineMatch | undefined => (isDiscount(b) ? b.match : undefined);

/**
 * percent% of `base`, rounded down to the cent. The percent is taken to 6 decimals as an integer, so
 * 12.5% or 33.333333% round exactly and never up through float noise.
 */
export function percentOf(base: number, percent: number): number {
  const millionths = BigInt(Math.round(percent * 1_000_000));
  return Number((BigInt(base) * millionths) / 100_000_000n);
}

/**
 * Free items: the `quantity` cheapest items of the matching lines that are not paid for yet (a line of
 * 3 counts as 3 items, cheapest by unit price, ties to the lower line number). A line gives its chosen
 * items' unit prices, capped by what is left of it; a line with nothing left offers no item.
 */
export function freeItemParts(
  lines: readonly (MatchableLine & { unitPrice: number })[],
  left: readonly number[],
  match: LineMatch,
  quantity: number,
): number[] {
  const candidates = lines
    .map((line, lineNo) => ({ line, lineNo, left: left[lineNo] ?? 0 }))
    .filter((c) => c.line.unitPrice > 0 && c.left > 0 && matchesLine(match, c.line))
    .sort((a, b) => a.line.unitPrice - b.line.unitPrice || a.lineNo - b.lineNo);
  const parts = lines.map(() => 0);
  let wanted = quantity;
  for (const c of candidates) {
    if (wanted === 0) break;
    // Items still (partly) unpaid on this line: 2.5 items' worth left means 3 items to choose from.
    const items = Math.min(wanted, Math.ceil(c.left / c.line.unitPrice));
    parts[c.lineNo] = Math.min(items * c.line.unitPrice, c.left);
    wanted -= items;
  }
  return parts;
}

/**
 * What a discount benefit takes off each line, working on what is left of the lines (`left`), never
 * more than `cap` in all (a coupon's remaining budget). Non-discount benefits take nothing.
 */
export function discountParts(
  benefit: Benefit,
  lines: readonly (MatchableLine & { unitPrice: number })[],
  left: readonly number[],
  cap = Number.POSITIVE_INFINITY,
): number[] {
  let parts: number[];
  switch (benefit.kind) {
    case "percent_off":
    case "fixed_off": {
      const covered = coveredLines(benefit.match, lines);
      const weights = left.map((l, i) => (covered[i] ? l : 0));
      const base = sum(weights);
      const amount =
        benefit.kind === "fixed_off"
          ? Math.min(benefit.amount, base)
          : Math.min(percentOf(base, benefit.percent), benefit.maxAmount ?? Number.POSITIVE_INFINITY);
      parts = allocate(amount, weights);
      break;
    }
    case "free_item":
      parts = freeItemParts(lines, left, benefit.match, benefit.quantity);
      break;
    default:
      return lines.map(() => 0);
  }
  // A cap spreads what it allows over the lines the uncapped discount chose, in proportion.
  return sum(parts) > cap ? allocate(cap, parts) : parts;
}
