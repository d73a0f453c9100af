import { describe, expect, it } from "vitest";
import { allocate, lineAmounts, partsByLine, subtractParts } from "../src/index.ts";

describe("allocate", () => {
  it("splits in proportion to what is left of each line, exactly", () => {
    expect(allocate(100, [300, 100])).toEqual([75, 25]);
    expect(allocate(100, [100, 100, 100])).toEqual([34, 33, 33]);
  });

  it("gives the missing cents to the largest remainders", () => {
    // Exact shares 1.5, 4.5 and 4: one cent is missing, the .5s tie and the lower line wins it.
    expect(allocate(10, [3, 9, 8])).toEqual([2, 4, 4]);
    // Shares 0.4, 0.6 → the larger remainder wins even on a later line.
    expect(allocate(1, [2, 3])).toEqual([0, 1]);
  });

  it("ties go to the lower line number", () => {
    expect(allocate(1, [5, 5])).toEqual([1, 0]);
    expect(allocate(2, [5, 5, 5])).toEqual([1, 1, 0]);
  });

  it("leaves lines with weight 0 alone (lines a discount does not cover)", () => {
    expect(allocate(50, [0, 100, 0, 100])).toEqual([0, 25, 0, 25]);
  });

  it("never gives more than the weights hold, nor less than 0", () => {
    expect(allocate(500, [100, 50])).toEqual([100, 50]);
    expect(allocate(-5, [100])).toEqual([0]);
    expect(allocate(10, [0, 0])).toEqual([0, 0]);
    expect(allocate(10, [])).toEqual([]);
  });

  it("stays exact where floating point would not (10^12 × 10^13)", () => {
    const parts = allocate(999_999_999_999, [9_999_999_999_999, 1, 3_333_333_333_333]);
    expect(parts.reduce((s, p) => s + p, 0)).toBe(999_999_999_999);
    expect(parts).toEqual([749_999_999_999, 0, 250_000_000_000]);
  });
});

describe("line helpers", () => {
  it("a line's amount is quantity × unitPrice − its own discount", () => {
    expect(
      lineAmounts([
        { quantity: 3, unitPrice: 250, discount: 100 },
        { quantity: 1, unitPrice: 0, discount: 0 },
      ]),
    ).toEqual([650, 0]);
  });

  it("subtractParts and partsByLine (only lines that got something)", () => {
    expect(subtractParts([650, 200, 90], [50, 0, 90])).toEqual([600, 200, 0]);
    expect(partsByLine([50, 0, 90])).toEqual([
      { lineNo: 0, amount: 50 },
      { lineNo: 2, amount: 90 },
    ]);
  });
});
