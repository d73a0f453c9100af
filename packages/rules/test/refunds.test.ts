import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateEarning, type MatchedRefundLine, matchRefundLines, refundReversal } from "../src/index.ts";
import { base, line, member, newDishes3x, noAlcohol, programme, sale, tuesdayDouble, WARSAW } from "./fixtures.ts";

const basket = [
  line("BURGER", 1450),
  line("VEGGIE-WRAP", 1200, { tags: ["new"] }),
  line("BEER", 900, { category: "alcohol" }),
  line("FRIES", 350, { quantity: 2, discount: 350 }),
];

/** A sale's points and its stored explanation, as the ledger keeps them. */
function earned(caps: Record<string, number> = {}) {
  const r = evaluateEarning(
    programme({ rules: [base, noAlcohol, tuesdayDouble, newDishes3x], caps }),
    sale(basket, { occurredAt: "2025-03-04T12:00:00+01:00" }),
    member(),
    WARSAW,
  );
  return {
    awardedPoints: r.points,
    saleLines: basket.map((b, i) => ({ sku: b.sku, amount: r.lines[i]!.amount, points: r.lines[i]!.points })),
  };
}
const amountOf = (lineNo: number) => basket[lineNo]!.quantity * basket[lineNo]!.unitPrice - basket[lineNo]!.discount;
const whole = (...lineNos: number[]): MatchedRefundLine[] =>
  lineNos.map((lineNo, k) => ({ refundLine: k, lineNo, amount: amountOf(lineNo) }));
const none = [0, 0, 0, 0];
const refunded = (...lineNos: number[]) => none.map((_, i) => (lineNos.includes(i) ? amountOf(i) : 0));

describe("refundReversal: by money, per line", () => {
  it("a full refund reverses exactly the awarded points", () => {
    const sold = earned();
    expect(sold.awardedPoints).toBe(72);
    expect(refundReversal({ ...sold, refundedBefore: none, refund: whole(0, 1, 2, 3) })).toBe(72);
  });

  it("refunding the alcohol line reverses nothing", () => {
    expect(refundReversal({ ...earned(), refundedBefore: none, refund: whole(2) })).toBe(0);
  });

  it("partial refunds are proportional per line and add up to the award", () => {
    const sold = earned();
    expect(refundReversal({ ...sold, refundedBefore: none, refund: whole(0) })).toBe(29);
    expect(refundReversal({ ...sold, refundedBefore: refunded(0), refund: whole(1) })).toBe(36);
    expect(refundReversal({ ...sold, refundedBefore: refunded(0, 1), refund: whole(2, 3) })).toBe(7);
  });

  it("half of a line's price refunded reverses half its points", () => {
    const sold = { awardedPoints: 40, saleLines: [{ sku: "MEAL", amount: 4000, points: 40 }] };
    expect(refundReversal({ ...sold, refundedBefore: [0], refund: [{ refundLine: 0, lineNo: 0, amount: 2000 }] })).toBe(
      20,
    );
    expect(
      refundReversal({ ...sold, refundedBefore: [2000], refund: [{ refundLine: 0, lineNo: 0, amount: 1000 }] }),
    ).toBe(10);
    expect(
      refundReversal({ ...sold, refundedBefore: [3000], refund: [{ refundLine: 0, lineNo: 0, amount: 1000 }] }),
    ).toBe(10);
  });

  it("a capped award is shared out by line points: never more than what was awarded", () => {
    const sold = earned({ perTransaction: 50 });
    expect(sold.awardedPoints).toBe(50);
    expect(refundReversal({ ...sold, refundedBefore: none, refund: whole(0) })).toBe(20); // 50 × 29 / 72 = 20.1
    expect(refundReversal({ ...sold, refundedBefore: refunded(0), refund: whole(1, 3) })).toBe(30);
  });

  it("points from basket-level rules only are shared by paid amount", () => {
    const sold = {
      awardedPoints: 10,
      saleLines: [
        { sku: "A", amount: 1000, points: 0 },
        { sku: "B", amount: 1000, points: 0 },
      ],
    };
    expect(
      refundReversal({ ...sold, refundedBefore: [0, 0], refund: [{ refundLine: 0, lineNo: 0, amount: 1000 }] }),
    ).toBe(5);
  });

  it("points from basket-level rules only are not taken back by refunding a line the sale excluded", () => {
    const visit = [line("BURGER", 1000), line("BEER", 1000, { tags: ["alcohol"] })];
    const r = evaluateEarning(
      programme({ rules: [noAlcohol, { id: "visit", type: "per_visit", points: 10 }] }),
      sale(visit),
      member(),
      WARSAW,
    );
    expect(r.points).toBe(10);
    const sold = {
      awardedPoints: r.points,
      saleLines: r.lines.map((l, i) => ({
        sku: visit[i]!.sku,
        amount: l.amount,
        points: l.points,
        eligible: l.eligible,
      })),
    };
    const beer = [{ refundLine: 0, lineNo: 1, amount: 1000 }];
    const burger = [{ refundLine: 0, lineNo: 0, amount: 1000 }];
    expect(refundReversal({ ...sold, refundedBefore: [0, 0], refund: beer })).toBe(0);
    expect(refundReversal({ ...sold, refundedBefore: [0, 1000], refund: burger })).toBe(10);
  });

  it("a zero award reverses nothing", () => {
    expect(refundReversal({ ...earned(), awardedPoints: 0, refundedBefore: none, refund: whole(0, 1, 2, 3) })).toBe(0);
  });
});

describe("matchRefundLines: lineNo first, else the sku as stored", () => {
  const saleLines = [
    { sku: "BURGER", amount: 1000 },
    { sku: "FRIES", amount: 300 },
    { sku: "BURGER", amount: 1000 },
  ];

  it("takes the named line", () => {
    expect(matchRefundLines(saleLines, [0, 0, 0], [{ lineNo: 2, sku: "BURGER", amount: 500 }])).toEqual({
      ok: true,
      lines: [{ refundLine: 0, lineNo: 2, amount: 500 }],
    });
  });

  it("spreads a sku's refund over its lines in order, skipping what was refunded before", () => {
    expect(matchRefundLines(saleLines, [1000, 0, 0], [{ sku: "BURGER", amount: 700 }])).toEqual({
      ok: true,
      lines: [{ refundLine: 0, lineNo: 2, amount: 700 }],
    });
    expect(matchRefundLines(saleLines, [600, 0, 0], [{ sku: "BURGER", amount: 700 }])).toEqual({
      ok: true,
      lines: [
        { refundLine: 0, lineNo: 0, amount: 400 },
        { refundLine: 0, lineNo: 2, amount: 300 },
      ],
    });
  });

  it("compares skus exactly as stored (case and spaces matter)", () => {
    expect(matchRefundLines(saleLines, [0, 0, 0], [{ sku: "burger", amount: 100 }])).toMatchObject({
      ok: false,
      code: "refund_line_not_in_sale",
      path: "lines.0.sku",
    });
    expect(matchRefundLines(saleLines, [0, 0, 0], [{ sku: "BURGER ", amount: 100 }])).toMatchObject({
      ok: false,
      code: "refund_line_not_in_sale",
    });
  });

  it("refuses a line number the sale does not have, or whose sku differs", () => {
    expect(matchRefundLines(saleLines, [0, 0, 0], [{ lineNo: 3, sku: "BURGER", amount: 1 }])).toMatchObject({
      ok: false,
      code: "refund_line_not_in_sale",
      path: "lines.0.lineNo",
    });
    expect(matchRefundLines(saleLines, [0, 0, 0], [{ lineNo: 1, sku: "BURGER", amount: 1 }])).toMatchObject({
      ok: false,
      code: "refund_line_not_in_sale",
      path: "lines.0.sku",
    });
  });

  it("refuses more money than is left on a line, counting this refund's own earlier lines", () => {
    expect(matchRefundLines(saleLines, [0, 200, 0], [{ lineNo: 1, sku: "FRIES", amount: 101 }])).toMatchObject({
      ok: false,
      code: "refund_exceeds_sale",
    });
    expect(
      matchRefundLines(
        saleLines,
        [0, 0, 0],
        [
          { lineNo: 1, sku: "FRIES", amount: 200 },
          { sku: "FRIES", amount: 101 },
        ],
      ),
    ).toMatchObject({ ok: false, code: "refund_exceeds_sale", path: "lines.1" });
  });

  it("a free item names its line with nothing refunded", () => {
    expect(matchRefundLines([{ sku: "COOKIE", amount: 0 }], [0], [{ sku: "COOKIE", amount: 0 }])).toEqual({
      ok: true,
      lines: [{ refundLine: 0, lineNo: 0, amount: 0 }],
    });
  });
});

describe("refundReversal properties", () => {
  const saleArb = fc.array(
    fc.record({
      amount: fc.integer({ min: 0, max: 5000 }),
      points: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 200, noNaN: true })),
      eligible: fc.option(fc.boolean(), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 6 },
  );

  it("cumulative partial refunds never exceed the award, each is ≥ 0, and refunding everything reverses exactly the award", () => {
    fc.assert(
      fc.property(
        saleArb,
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3000 })), { maxLength: 12 }),
        (lines, awardedPoints, steps) => {
          const saleLines = lines.map((l, i) => ({ sku: `SKU-${i}`, ...l }));
          const before = saleLines.map(() => 0);
          let total = 0;
          const refund = (lineNo: number, want: number) => {
            const amount = Math.min(want, saleLines[lineNo]!.amount - before[lineNo]!);
            const r = refundReversal({
              awardedPoints,
              saleLines,
              refundedBefore: [...before],
              refund: [{ refundLine: 0, lineNo, amount }],
            });
            expect(Number.isInteger(r)).toBe(true);
            expect(r).toBeGreaterThanOrEqual(0);
            before[lineNo]! += amount;
            total += r;
            expect(total).toBeLessThanOrEqual(awardedPoints);
          };
          for (const [pick, amount] of steps) refund(pick % saleLines.length, amount);
          for (const [i, l] of saleLines.entries()) refund(i, l.amount);
          const weighted = saleLines.some((l) => l.amount > 0);
          expect(total).toBe(weighted ? awardedPoints : 0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
