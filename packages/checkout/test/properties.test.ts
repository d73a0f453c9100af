import { Benefit } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { allocate, coveredLines, discountParts, lineAmounts, priceCheckout, sum } from "../src/index.ts";
import { benefitArb, checkoutArb, linesArb, percentArb } from "./arbitraries.ts";

const runs = { numRuns: 400 };

describe("priceCheckout properties", () => {
  it("the total is ≥ 0 and is the sum of the lines' amounts; no line goes below 0 or above its price", () => {
    fc.assert(
      fc.property(checkoutArb, (input) => {
        const q = priceCheckout(input);
        const amounts = lineAmounts(input.basket.lines);
        expect(q.total).toBeGreaterThanOrEqual(0);
        expect(q.total).toBe(sum(q.lines.map((l) => l.amount)));
        expect(q.subtotal).toBe(sum(amounts));
        expect(q.discount).toBe(q.subtotal - q.total);
        q.lines.forEach((l, i) => {
          expect(l.amount).toBeGreaterThanOrEqual(0);
          expect(l.amount).toBeLessThanOrEqual(amounts[i]!);
          expect(l.discount).toBe(input.basket.lines[i]!.discount + amounts[i]! - l.amount);
        });
      }),
      runs,
    );
  });

  it("each benefit's lines sum exactly to its amount, and together they are the discount", () => {
    fc.assert(
      fc.property(checkoutArb, (input) => {
        const q = priceCheckout(input);
        const perLine = input.basket.lines.map(() => 0);
        for (const a of q.applied) {
          expect(sum(a.lines.map((l) => l.amount))).toBe(a.amount);
          for (const l of a.lines) {
            expect(l.amount).toBeGreaterThan(0);
            perLine[l.lineNo]! += l.amount;
          }
        }
        expect(sum(q.applied.map((a) => a.amount))).toBe(q.discount);
        // No line is discounted beyond its amount.
        const amounts = lineAmounts(input.basket.lines);
        perLine.forEach((d, i) => {
          expect(d).toBeLessThanOrEqual(amounts[i]!);
        });
      }),
      runs,
    );
  });

  it("what is applied is reported applicable, what is refused is not applied", () => {
    fc.assert(
      fc.property(checkoutArb, (input) => {
        const q = priceCheckout(input);
        const typed = q.coupons.filter((c) => c.selected);
        expect(typed.length).toBe(input.selection.couponCodes.length);
        const coupons = q.applied.filter((a) => a.source === "coupon").map((a) => a.ref);
        expect(coupons).toEqual(typed.filter((c) => c.applicable).map((c) => c.code));
        for (const c of q.coupons) expect(c.applicable).toBe(c.refusal === null);
        const rewards = q.applied.filter((a) => a.source === "reward");
        expect(rewards.map((a) => a.ref)).toEqual(q.rewards.filter((r) => r.selected && r.applicable).map((r) => r.id));
        expect(sum(rewards.map((r) => r.points)) + q.points.applied).toBeLessThanOrEqual(q.points.spendable);
        expect(q.points.applied === 0).toBe(q.points.requested === 0 || q.points.refusal !== null);
        expect(q.wallet.applied === 0).toBe(q.wallet.requested === 0 || q.wallet.refusal !== null);
      }),
      runs,
    );
  });

  it("maxUsable points are always accepted", () => {
    fc.assert(
      fc.property(checkoutArb, (input) => {
        const max = priceCheckout(input).points.maxUsable;
        fc.pre(max > 0);
        const q = priceCheckout({ ...input, selection: { ...input.selection, points: max, wallet: 0 } });
        expect(q.points.refusal).toBeNull();
        expect(q.points.applied).toBe(max);
      }),
      runs,
    );
  });
});

describe("discount properties", () => {
  it("a percent discount never exceeds percent% of its base", () => {
    fc.assert(
      fc.property(linesArb, percentArb, fc.boolean(), (lines, percent, leftShare) => {
        const left = lineAmounts(lines).map((a) => (leftShare ? Math.floor(a / 3) : a));
        const parts = discountParts({ kind: "percent_off", percent }, lines, left);
        expect(sum(parts) * 100).toBeLessThanOrEqual(sum(left) * percent + 1e-6 * sum(left));
        // Rounded down, so less than a cent below the exact value.
        expect(sum(parts) + 1).toBeGreaterThan((sum(left) * percent) / 100 - 1e-6 * sum(left));
      }),
      runs,
    );
  });

  it("no discount takes more than is left of a line or touches a line it does not cover", () => {
    fc.assert(
      fc.property(linesArb, benefitArb, fc.integer({ min: 0, max: 10_000 }), (lines, raw, cap) => {
        const benefit = Benefit.parse(raw);
        const left = lineAmounts(lines);
        const parts = discountParts(benefit, lines, left, cap);
        expect(sum(parts)).toBeLessThanOrEqual(cap);
        const covered = coveredLines("match" in benefit ? benefit.match : undefined, lines);
        parts.forEach((p, i) => {
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(left[i]!);
          if (!covered[i]) expect(p).toBe(0);
        });
      }),
      runs,
    );
  });

  it("allocate: parts sum exactly to min(amount, Σ weights), each within its weight", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000_000_000 }),
        fc.array(fc.integer({ min: 0, max: 10_000_000_000_000 }), { maxLength: 8 }),
        (amount, weights) => {
          const parts = allocate(amount, weights);
          expect(sum(parts)).toBe(Math.min(amount, sum(weights)));
          parts.forEach((p, i) => {
            expect(Number.isInteger(p)).toBe(true);
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(weights[i]!);
          });
        },
      ),
      runs,
    );
  });
});
