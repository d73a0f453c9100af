import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateEarning, refundReversal } from "../src/index.ts";
import { base, line, member, newDishes3x, noAlcohol, programme, sale, tuesdayDouble, WARSAW } from "./fixtures.ts";

const basket = [line("BURGER", 1450), line("VEGGIE-WRAP", 1200, { tags: ["new"] }), line("BEER", 900, { category: "alcohol" }), line("FRIES", 350, { quantity: 2, discount: 350 })];

/** A sale's points and its stored explanation, as the ledger keeps them. */
function earned(caps: Record<string, number> = {}) {
  const r = evaluateEarning(programme({ rules: [base, noAlcohol, tuesdayDouble, newDishes3x], caps }), sale(basket, { occurredAt: "2025-03-04T12:00:00+01:00" }), member(), WARSAW);
  return { awardedPoints: r.points, saleLines: basket.map((b, i) => ({ sku: b.sku, quantity: b.quantity, amount: r.lines[i]!.amount, points: r.lines[i]!.points })) };
}
const all = basket.map((b) => ({ sku: b.sku, quantity: b.quantity, amount: b.quantity * b.unitPrice - b.discount }));
const only = (sku: string, quantity?: number) => all.filter((r) => r.sku === sku).map((r) => ({ ...r, quantity: quantity ?? r.quantity }));

describe("refundReversal", () => {
  it("a full refund reverses exactly the awarded points", () => {
    const sold = earned();
    expect(sold.awardedPoints).toBe(72);
    expect(refundReversal({ ...sold, refundedBefore: [], refund: all })).toBe(72);
  });

  it("refunding the alcohol line reverses nothing", () => {
    expect(refundReversal({ ...earned(), refundedBefore: [], refund: only("BEER") })).toBe(0);
  });

  it("partial refunds are proportional per line and add up to the award", () => {
    const sold = earned();
    expect(refundReversal({ ...sold, refundedBefore: [], refund: only("BURGER") })).toBe(29);
    expect(refundReversal({ ...sold, refundedBefore: only("BURGER"), refund: only("VEGGIE-WRAP") })).toBe(36);
    expect(refundReversal({ ...sold, refundedBefore: [...only("BURGER"), ...only("VEGGIE-WRAP")], refund: [...only("FRIES"), ...only("BEER")] })).toBe(7);
  });

  it("a capped award is shared out by line points: never more than what was awarded", () => {
    const sold = earned({ perTransaction: 50 });
    expect(sold.awardedPoints).toBe(50);
    expect(refundReversal({ ...sold, refundedBefore: [], refund: only("BURGER") })).toBe(20); // 50 × 29 / 72 = 20.1
    expect(refundReversal({ ...sold, refundedBefore: only("BURGER"), refund: [...only("VEGGIE-WRAP"), ...only("FRIES")] })).toBe(30);
  });

  it("a partially reward-paid line reverses by units, spreading its discount; a fully reward-paid line reverses nothing", () => {
    // 2 coffees at 3.00, one paid with a reward: 3.00 paid, 3 points; burger 14.5 points; 17 awarded.
    const sold = {
      awardedPoints: 17,
      saleLines: [
        { sku: "COFFEE", quantity: 2, amount: 300, points: 3 },
        { sku: "BURGER", quantity: 1, amount: 1450, points: 14.5 },
        { sku: "COOKIE", quantity: 1, amount: 0, points: 0 },
      ],
    };
    const coffee = { sku: "COFFEE", quantity: 1, amount: 150 };
    expect(refundReversal({ ...sold, refundedBefore: [], refund: [{ sku: "COOKIE", quantity: 1, amount: 0 }] })).toBe(0);
    expect(refundReversal({ ...sold, refundedBefore: [], refund: [coffee] })).toBe(1); // 17 × 1.5 / 17.5 = 1.46
    expect(refundReversal({ ...sold, refundedBefore: [coffee], refund: [coffee] })).toBe(1); // catches up to 2.91 → 2
    expect(refundReversal({ ...sold, refundedBefore: [coffee, coffee], refund: [{ sku: "BURGER", quantity: 1, amount: 1450 }] })).toBe(15);
  });

  it("points from basket-level rules only are shared by paid amount", () => {
    const sold = { awardedPoints: 10, saleLines: [{ sku: "A", quantity: 1, amount: 1000, points: 0 }, { sku: "B", quantity: 1, amount: 1000, points: 0 }] };
    expect(refundReversal({ ...sold, refundedBefore: [], refund: [{ sku: "A", quantity: 1, amount: 1000 }] })).toBe(5);
  });

  it("unknown skus, over-refunds and zero awards reverse nothing extra", () => {
    const sold = earned();
    expect(refundReversal({ ...sold, refundedBefore: [], refund: [{ sku: "NOT-SOLD", quantity: 1, amount: 100 }] })).toBe(0);
    expect(refundReversal({ ...sold, refundedBefore: [], refund: only("BURGER", 5) })).toBe(29);
    expect(refundReversal({ ...sold, awardedPoints: 0, refundedBefore: [], refund: all })).toBe(0);
  });
});

describe("refundReversal properties", () => {
  const saleArb = fc.array(fc.record({ quantity: fc.integer({ min: 1, max: 5 }), amount: fc.integer({ min: 0, max: 5000 }), points: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 200, noNaN: true })) }), { minLength: 1, maxLength: 6 });

  it("cumulative partial refunds never exceed the award, each is ≥ 0, and refunding everything reverses exactly the award", () => {
    fc.assert(
      fc.property(saleArb, fc.integer({ min: 0, max: 1000 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })), { maxLength: 12 }), (lines, awardedPoints, steps) => {
        const saleLines = lines.map((l, i) => ({ sku: `SKU-${i}`, ...l }));
        const refunded: { sku: string; quantity: number }[] = [];
        let total = 0;
        const refund = (items: { sku: string; quantity: number }[]) => {
          const r = refundReversal({ awardedPoints, saleLines, refundedBefore: [...refunded], refund: items.map((x) => ({ ...x, amount: 0 })) });
          expect(Number.isInteger(r)).toBe(true);
          expect(r).toBeGreaterThanOrEqual(0);
          refunded.push(...items);
          total += r;
          expect(total).toBeLessThanOrEqual(awardedPoints);
        };
        for (const [pick, quantity] of steps) refund([{ sku: saleLines[pick % saleLines.length]!.sku, quantity }]);
        refund(saleLines.map((l) => ({ sku: l.sku, quantity: l.quantity })));
        const weighted = saleLines.some((l) => l.points > 0 || l.amount > 0);
        expect(total).toBe(weighted ? awardedPoints : 0);
      }),
      { numRuns: 300 },
    );
  });
});
