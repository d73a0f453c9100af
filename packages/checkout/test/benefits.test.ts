import { Benefit } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { coveredLines, discountParts, freeItemParts, percentOf } from "../src/index.ts";
import { line } from "./fixtures.ts";

const benefit = (b: Record<string, unknown>): Benefit => Benefit.parse(b);
const fries = { skus: ["FRIES"] };

describe("percentOf", () => {
  it("rounds down to the cent", () => {
    expect(percentOf(999, 10)).toBe(99);
    expect(percentOf(1999, 15)).toBe(299);
    expect(percentOf(1, 99)).toBe(0);
    expect(percentOf(1000, 100)).toBe(1000);
  });

  it("takes fractional percents exactly, never up through float noise", () => {
    expect(percentOf(1000, 12.5)).toBe(125);
    expect(percentOf(300, 33.333333)).toBe(99);
    // 0.07 × 100 is 7.000000000000001 in floating point.
    expect(percentOf(100, 7)).toBe(7);
    expect(percentOf(10_000_000_000_000, 0.000001)).toBe(100_000);
    expect(percentOf(10_000_000_000_000, 99.999999)).toBe(9_999_999_900_000);
  });
});

describe("discountParts", () => {
  const lines = [line("BURGER", 790, { category: "burgers" }), line("FRIES", 290), line("COLA", 250, { quantity: 2 })];
  const full = [790, 290, 500];

  it("percent_off works on what is left of all lines, rounded down, spread by what is left", () => {
    expect(discountParts(benefit({ kind: "percent_off", percent: 10 }), lines, full)).toEqual([79, 29, 50]);
    // After an earlier benefit left 100 of the burger: 10% of 890 = 89, in shares 10, 29, 50.
    expect(discountParts(benefit({ kind: "percent_off", percent: 10 }), lines, [100, 290, 500])).toEqual([10, 29, 50]);
  });

  it("percent_off with a match covers only the matching lines, capped by maxAmount", () => {
    expect(
      discountParts(benefit({ kind: "percent_off", percent: 50, match: { categories: ["burgers"] } }), lines, full),
    ).toEqual([395, 0, 0]);
    // 300 over 790/290/500: 150, 55.06, 94.94 → the missing cent goes to the largest remainder.
    expect(discountParts(benefit({ kind: "percent_off", percent: 50, maxAmount: 300 }), lines, full)).toEqual([
      150, 55, 95,
    ]);
  });

  it("fixed_off is min(amount, what is left of the lines it covers)", () => {
    expect(discountParts(benefit({ kind: "fixed_off", amount: 200, match: fries }), lines, full)).toEqual([0, 200, 0]);
    expect(discountParts(benefit({ kind: "fixed_off", amount: 5000, match: fries }), lines, full)).toEqual([0, 290, 0]);
    expect(discountParts(benefit({ kind: "fixed_off", amount: 5000 }), lines, full)).toEqual(full);
  });

  it("a cap (the coupon's remaining budget) spreads what it allows over the lines chosen", () => {
    expect(discountParts(benefit({ kind: "fixed_off", amount: 500 }), lines, full, 158)).toEqual([79, 29, 50]);
    expect(discountParts(benefit({ kind: "free_item", match: fries }), lines, full, 100)).toEqual([0, 100, 0]);
  });

  it("bonus_points and wallet_cash take nothing off", () => {
    expect(discountParts(benefit({ kind: "bonus_points", points: 50 }), lines, full)).toEqual([0, 0, 0]);
    expect(discountParts(benefit({ kind: "wallet_cash", amount: 500 }), lines, full)).toEqual([0, 0, 0]);
  });
});

describe("freeItemParts", () => {
  it("the cheapest matching item is free: its unit price", () => {
    const lines = [line("FRIES", 350, { tags: ["side"] }), line("FRIES", 290, { tags: ["side"] })];
    expect(freeItemParts(lines, [350, 290], { skus: [], categories: [], tags: ["side"] }, 1)).toEqual([0, 290]);
  });

  it("counts items, not lines: a line of 3 offers 3 items", () => {
    const lines = [line("PUFF", 400, { quantity: 3 }), line("PUFF", 500)];
    const match = { skus: ["PUFF"], categories: [], tags: [] };
    expect(freeItemParts(lines, [1200, 500], match, 2)).toEqual([800, 0]);
    expect(freeItemParts(lines, [1200, 500], match, 4)).toEqual([1200, 500]);
    expect(freeItemParts(lines, [1200, 500], match, 9)).toEqual([1200, 500]);
  });

  it("is capped by what is left of the line", () => {
    const lines = [line("FRIES", 290)];
    expect(freeItemParts(lines, [261], { skus: ["FRIES"], categories: [], tags: [] }, 1)).toEqual([261]);
  });

  it("skips items already paid for (a second free item takes the next one)", () => {
    const lines = [line("PUFF", 300), line("PUFF", 400)];
    expect(freeItemParts(lines, [0, 400], { skus: ["PUFF"], categories: [], tags: [] }, 1)).toEqual([0, 400]);
  });

  it("ties on unit price go to the lower line number; free lines are no item", () => {
    const lines = [line("A", 0), line("B", 300), line("C", 300)];
    expect(freeItemParts(lines, [0, 300, 300], { skus: ["A", "B", "C"], categories: [], tags: [] }, 1)).toEqual([
      0, 300, 0,
    ]);
  });
});

describe("coveredLines", () => {
  it("covers every line without a match, else lines matching any sku, category or tag", () => {
    const lines = [line("A", 1, { category: "x" }), line("B", 1, { tags: ["veg"] }), line("C", 1)];
    expect(coveredLines(undefined, lines)).toEqual([true, true, true]);
    expect(coveredLines({ skus: ["C"], categories: ["x"], tags: ["veg"] }, lines)).toEqual([true, true, true]);
    expect(coveredLines({ skus: [], categories: [], tags: ["veg"] }, lines)).toEqual([false, true, false]);
  });
});
