import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pointsToReverse, refundableRemainder } from "../src/index.ts";

const reverse = (originalPoints: number, originalTotal: number, refundedBefore: number, refundTotal: number) =>
  pointsToReverse({ originalPoints, originalTotal, refundedBefore, refundTotal });

describe("pointsToReverse examples", () => {
  it("a full refund reverses exactly the points earned", () => {
    expect(reverse(14, 1450, 0, 1450)).toBe(14);
    expect(reverse(0, 99, 0, 99)).toBe(0);
  });

  it("a partial refund reverses the proportional share, rounded down", () => {
    expect(reverse(14, 1450, 0, 700)).toBe(6); // 14 × 700 / 1450 = 6.76
    expect(reverse(10, 1000, 0, 500)).toBe(5);
  });

  it("later refunds catch up on what earlier roundings held back", () => {
    // Three thirds of 10 points: 3, 3, then 4 — never 3 + 3 + 3.
    expect(reverse(10, 300, 0, 100)).toBe(3);
    expect(reverse(10, 300, 100, 100)).toBe(3);
    expect(reverse(10, 300, 200, 100)).toBe(4);
  });

  it("never reverses more than was earned, even when more money than the sale is refunded", () => {
    expect(reverse(14, 1450, 0, 5000)).toBe(14);
    expect(reverse(14, 1450, 1450, 100)).toBe(0);
    expect(reverse(14, 1450, 1000, 1000)).toBe(14 - reverse(14, 1450, 0, 1000));
  });

  it("nothing to reverse for a sale without points or without money", () => {
    expect(reverse(0, 1450, 0, 1450)).toBe(0);
    expect(reverse(14, 0, 0, 0)).toBe(0);
    expect(reverse(-5, 1450, 0, 1450)).toBe(0);
  });
});

/** A sale and a split of its whole total into partial refunds (each > 0). */
const saleAndSplit = fc
  .record({ points: fc.integer({ min: 0, max: 1_000_000 }), total: fc.integer({ min: 1, max: 10_000_000 }) })
  .chain(({ points, total }) =>
    fc
      .uniqueArray(fc.integer({ min: 1, max: Math.max(1, total - 1) }), { maxLength: Math.min(30, total - 1) })
      .map((cuts) => {
        const bounds = [0, ...cuts.filter((c) => c < total).sort((a, b) => a - b), total];
        return { points, total, refunds: bounds.slice(1).map((b, i) => b - bounds[i]!) };
      }),
  );

describe("pointsToReverse properties", () => {
  it("partial refunds that add up to the sale reverse exactly the original points, never more on the way", () => {
    fc.assert(
      fc.property(saleAndSplit, ({ points, total, refunds }) => {
        expect(refunds.reduce((a, b) => a + b, 0)).toBe(total);
        let refundedBefore = 0;
        let reversed = 0;
        for (const refundTotal of refunds) {
          const step = reverse(points, total, refundedBefore, refundTotal);
          expect(Number.isInteger(step)).toBe(true);
          expect(step).toBeGreaterThanOrEqual(0);
          reversed += step;
          refundedBefore += refundTotal;
          expect(reversed).toBeLessThanOrEqual(points);
        }
        expect(reversed).toBe(points);
      }),
      { numRuns: 500 },
    );
  });

  it("refunds beyond the sale total reverse nothing more", () => {
    fc.assert(
      fc.property(saleAndSplit, fc.array(fc.integer({ min: 1, max: 1_000_000 }), { maxLength: 5 }), ({ points, total, refunds }, extra) => {
        let refundedBefore = 0;
        let reversed = 0;
        for (const refundTotal of [...refunds, ...extra]) {
          reversed += reverse(points, total, refundedBefore, refundTotal);
          refundedBefore += refundTotal;
        }
        expect(reversed).toBe(points);
      }),
    );
  });

  it("depends only on how much has been refunded, not on how it was split", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.nat(), fc.nat(), (points, total, a, b) => {
        const first = a % (total + 1);
        const second = b % (total - first + 1);
        expect(reverse(points, total, 0, first) + reverse(points, total, first, second)).toBe(reverse(points, total, 0, first + second));
      }),
    );
  });

  // Regression: points × cents passes 2^53 on very large sales; float arithmetic lost the last point.
  it("a full refund of a very large sale reverses exactly its points (float precision)", () => {
    expect(reverse(9_490_693, 949_069_337, 0, 949_069_337)).toBe(9_490_693);
  });
});

describe("refundableRemainder", () => {
  it("is what is left of the sale, never negative", () => {
    expect(refundableRemainder(1450, 0)).toBe(1450);
    expect(refundableRemainder(1450, 700)).toBe(750);
    expect(refundableRemainder(1450, 1450)).toBe(0);
    expect(refundableRemainder(1450, 2000)).toBe(0);
  });

  it("plus what was refunded gives back the total while not over-refunded", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), (total, refunded) => {
        const rest = refundableRemainder(total, refunded);
        expect(rest).toBeGreaterThanOrEqual(0);
        if (refunded <= total) expect(rest + refunded).toBe(total);
        else expect(rest).toBe(0);
      }),
    );
  });
});
