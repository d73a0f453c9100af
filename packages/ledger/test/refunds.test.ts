import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { refundableRemainder } from "../src/index.ts";

// Points reversed by a refund are the rules engine's `refundReversal` (packages/rules/test/refunds.test.ts).
describe("refundableRemainder", () => {
  it("is what is left of the sale, never negative", () => {
    expect(refundableRemainder(1450, 0)).toBe(1450);
    expect(refundableRemainder(1450, 700)).toBe(750);
    expect(refundableRemainder(1450, 1450)).toBe(0);
    expect(refundableRemainder(1450, 2000)).toBe(0);
  });

  it("plus what was refunded gives back the total while not over-refunded", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (total, refunded) => {
          const rest = refundableRemainder(total, refunded);
          expect(rest).toBeGreaterThanOrEqual(0);
          if (refunded <= total) expect(rest + refunded).toBe(total);
          else expect(rest).toBe(0);
        },
      ),
    );
  });
});
