import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CheckedOutLine, earningDiscounts, sum } from "../src/index.ts";

/** BURGER 1200 + PUFF 300, the puff free through a reward: the quote's discounts [0, 300]. */
const burgerAndFreePuff = (posted: [number, number]): CheckedOutLine[] => [
  { price: 1200, posted: posted[0], checkout: 0 },
  { price: 300, posted: posted[1], checkout: 300 },
];

describe("earningDiscounts", () => {
  it("keeps the checkout's discount where the quote put it, however the till spread it", () => {
    expect(earningDiscounts(burgerAndFreePuff([0, 300]))).toEqual([0, 300]);
    expect(earningDiscounts(burgerAndFreePuff([240, 60]))).toEqual([0, 300]);
    expect(earningDiscounts(burgerAndFreePuff([300, 0]))).toEqual([0, 300]);
  });

  it("spreads only what the till added beyond the checkout, over the lines it posted more on", () => {
    // €1 added: posted 1100 against the checkout's 1000; excesses 250 (burger) and none (fries, 150 short).
    expect(
      earningDiscounts([
        { price: 1200, posted: 1000, checkout: 750 },
        { price: 400, posted: 100, checkout: 250 },
      ]),
    ).toEqual([850, 250]);
    // Excesses 300 and 100 share €2 added as 150 and 50.
    expect(
      earningDiscounts([
        { price: 1200, posted: 1050, checkout: 750 },
        { price: 400, posted: 350, checkout: 250 },
        { price: 500, posted: 0, checkout: 200 },
      ]),
    ).toEqual([900, 300, 200]);
  });

  it("takes the larger discount per line when the till posted less than the checkout (at list price, or part)", () => {
    expect(earningDiscounts(burgerAndFreePuff([0, 0]))).toEqual([0, 300]);
    expect(
      earningDiscounts([
        { price: 1200, posted: 0, checkout: 750 },
        { price: 400, posted: 400, checkout: 250 },
      ]),
    ).toEqual([750, 400]);
  });
});

/** A sale's line: the till's discount and the checkout's each at most its price. */
const lineArb: fc.Arbitrary<CheckedOutLine> = fc.integer({ min: 0, max: 1_000_000 }).chain((price) =>
  fc.record({
    price: fc.constant(price),
    posted: fc.integer({ min: 0, max: price }),
    checkout: fc.oneof(fc.constant(0), fc.constant(price), fc.integer({ min: 0, max: price })),
  }),
);
/** Often a till that moved the checkout's discount: the same total, posted on the lines in other shares. */
const salesArb = fc.oneof(
  fc.array(lineArb, { minLength: 1, maxLength: 6 }),
  fc
    .array(lineArb, { minLength: 1, maxLength: 6 })
    .chain((lines) =>
      fc
        .array(fc.nat(), { minLength: lines.length, maxLength: lines.length })
        .map((weights) => moved(lines, sum(lines.map((l) => l.checkout)), weights)),
    ),
);

/** `lines` with `total` posted over them by `weights` (greedily, up to each price), whatever they posted before. */
function moved(lines: CheckedOutLine[], total: number, weights: number[]): CheckedOutLine[] {
  let left = total;
  const order = weights.map((w, i) => ({ w, i })).sort((a, b) => b.w - a.w);
  const posted = lines.map(() => 0);
  for (const { i } of order) {
    posted[i] = Math.min(lines[i]!.price, left);
    left -= posted[i]!;
  }
  return lines.map((l, i) => ({ ...l, posted: posted[i]! }));
}

describe("earningDiscounts properties", () => {
  it("earns on no line more than its price or what the checkout left of it, and in all no more than was paid", () => {
    fc.assert(
      fc.property(salesArb, (lines) => {
        const discounts = earningDiscounts(lines);
        const earnedOn = lines.map((l, i) => l.price - discounts[i]!);
        lines.forEach((l, i) => {
          expect(earnedOn[i]).toBeGreaterThanOrEqual(0);
          expect(earnedOn[i]).toBeLessThanOrEqual(l.price);
          // Never on the checkout's discount: a line the checkout paid in full earns nothing.
          expect(earnedOn[i]).toBeLessThanOrEqual(l.price - l.checkout);
        });
        const paid = sum(lines.map((l) => l.price - l.posted));
        expect(sum(earnedOn)).toBeLessThanOrEqual(paid);
        // Posting at least the checkout's discount, the sale earns on exactly what was paid.
        if (sum(lines.map((l) => l.posted)) >= sum(lines.map((l) => l.checkout))) expect(sum(earnedOn)).toBe(paid);
      }),
      { numRuns: 500 },
    );
  });
});
