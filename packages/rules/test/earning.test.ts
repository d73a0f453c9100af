import { defaultProgramme } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { evaluateEarning } from "../src/index.ts";
import { base, line, member, noAlcohol, programme, sale, WARSAW } from "./fixtures.ts";

const earn = (
  p: Parameters<typeof evaluateEarning>[0],
  input: Parameters<typeof evaluateEarning>[1],
  customer = member(),
) => evaluateEarning(p, input, customer, WARSAW);

describe("base rate: 1 point per €1", () => {
  it.each([
    [1450, 14],
    [99, 0],
    [100, 1],
    [199, 1],
    [0, 0],
  ])("%i cents earn %i points", (cents, points) => {
    expect(earn(defaultProgramme, sale([line("BURGER", cents)])).points).toBe(points);
  });

  it("keeps fractional line points and floors the transaction once", () => {
    const r = earn(defaultProgramme, sale([line("A", 60), line("B", 60), line("C", 60)]));
    expect(r.points).toBe(1); // per-line flooring would give 0
    expect(r.lines.map((l) => l.points)).toEqual([0.6, 0.6, 0.6]);
    // 0.6 + 0.3 + 0.1 is 0.9999999999999999 in floating point: still one point.
    expect(earn(defaultProgramme, sale([line("A", 60), line("B", 30), line("C", 10)])).points).toBe(1);
  });

  it("earns on what the customer paid: discounts reduce the line, a reward-paid line earns nothing", () => {
    const r = earn(
      defaultProgramme,
      sale([
        line("FRIES", 350, { quantity: 2, discount: 100 }),
        line("BURGER", 790),
        line("COFFEE", 290, { discount: 290 }),
      ]),
    );
    expect(r.points).toBe(13); // 600 + 790 = 1390 paid
    expect(r.lines[0]).toMatchObject({ amount: 600, eligible: true, basePoints: 6 });
    expect(r.lines[2]).toEqual({
      lineNo: 2,
      amount: 0,
      eligible: false,
      excludedBy: null,
      basePoints: 0,
      multiplier: 1,
      points: 0,
      rules: [],
    });
    expect(r.rules).toEqual([
      { ruleId: "base", type: "base_rate", points: 13.9, lines: [0, 1], detail: "1 pt per 100 on 1390 paid" },
    ]);
  });

  it("an anonymous sale earns nothing and lists no rules", () => {
    const r = evaluateEarning(defaultProgramme, sale([line("BURGER", 1450)]), null, WARSAW);
    expect(r).toEqual({
      points: 0,
      rules: [],
      capped: null,
      lines: [
        {
          lineNo: 0,
          amount: 1450,
          eligible: false,
          excludedBy: null,
          basePoints: 0,
          multiplier: 1,
          points: 0,
          rules: [],
        },
      ],
    });
  });
});

describe("exclusions: alcohol never earns", () => {
  const p = programme({ rules: [base, noAlcohol] });

  it("excludes by category or by tag and says which rule excluded the line", () => {
    const r = earn(
      p,
      sale([
        line("BURGER", 1450),
        line("BEER", 900, { category: "alcohol" }),
        line("SPRITZ", 1200, { category: "cocktails", tags: ["alcohol"] }),
      ]),
    );
    expect(r.points).toBe(14);
    expect(r.lines.map((l) => [l.eligible, l.excludedBy])).toEqual([
      [true, null],
      [false, "no-alcohol"],
      [false, "no-alcohol"],
    ]);
    expect(r.rules[0]).toEqual({
      ruleId: "no-alcohol",
      type: "exclusion",
      points: 0,
      lines: [1, 2],
      detail: "excluded lines [1, 2]",
    });
  });

  it("apply whatever their priority, even below a stopping rule", () => {
    const q = programme({
      rules: [
        { ...base, priority: 100, stopProcessing: true },
        { ...noAlcohol, priority: -100 },
      ],
    });
    expect(earn(q, sale([line("BURGER", 1450), line("BEER", 900, { category: "alcohol" })])).points).toBe(14);
  });
});

describe("slabs on the eligible basket amount: ≥100 → 1, ≥200 → 4, ≥300 → 8", () => {
  const slabs = {
    id: "slabs",
    type: "slabs",
    slabs: [
      { minAmount: 10000, points: 1 },
      { minAmount: 20000, points: 4 },
      { minAmount: 30000, points: 8 },
    ],
  };
  const p = programme({ rules: [slabs, noAlcohol, { id: "tuesday", type: "multiplier", factor: 2, weekdays: [2] }] });

  it.each([
    [9999, 0],
    [10000, 1],
    [19999, 1],
    [20000, 4],
    [29999, 4],
    [30000, 8],
    [120000, 8],
  ])("%i cents → %i points", (cents, points) => {
    expect(earn(p, sale([line("PARTY-BOX", cents)])).points).toBe(points);
  });

  it("counts only eligible lines and is not multiplied", () => {
    expect(earn(p, sale([line("PARTY-BOX", 25000), line("WINE", 10000, { category: "alcohol" })])).points).toBe(4);
    const tuesday = earn(p, sale([line("PARTY-BOX", 25000)], { occurredAt: "2025-03-04T12:00:00+01:00" }));
    expect(tuesday.points).toBe(4);
    expect(tuesday.rules).toContainEqual({
      ruleId: "slabs",
      type: "slabs",
      points: 4,
      lines: [0],
      detail: "basket 25000 reached slab ≥20000",
    });
  });
});

describe("per item: beverages 1 point and snacks 2 points per item", () => {
  const p = programme({
    rules: [
      { id: "beverages", type: "per_item", match: { categories: ["beverage"] }, pointsPerItem: 1 },
      { id: "snacks", type: "per_item", match: { categories: ["snack"] }, pointsPerItem: 2 },
      { id: "tuesday", type: "multiplier", factor: 2, weekdays: [2] },
    ],
  });
  const basket = [
    line("COLA", 300, { category: "beverage", quantity: 3 }),
    line("NACHOS", 450, { category: "snack", quantity: 2 }),
    line("BURGER", 1450),
  ];

  it("counts quantities on matching lines", () => {
    const r = earn(p, sale(basket));
    expect(r.points).toBe(7);
    expect(r.rules.map((e) => [e.ruleId, e.points, e.lines])).toEqual([
      ["beverages", 3, [0]],
      ["snacks", 4, [1]],
    ]);
  });

  it("is line-attributed, so multipliers apply", () => {
    expect(earn(p, sale(basket, { occurredAt: "2025-03-04T12:00:00+01:00" })).points).toBe(14);
  });

  it("a fully reward-paid item earns no item points", () => {
    expect(earn(p, sale([line("COLA", 300, { category: "beverage", quantity: 2, discount: 600 })])).points).toBe(0);
  });

  it("counts only the units money was paid toward: one free cola of three earns for two", () => {
    const r = earn(p, sale([line("COLA", 300, { category: "beverage", quantity: 3, discount: 300 })]));
    expect(r.points).toBe(2);
    expect(r.rules).toContainEqual({
      ruleId: "beverages",
      type: "per_item",
      points: 2,
      lines: [0],
      detail: "1 pt per item on 2 paid items",
    });
    expect(r.lines[0]).toMatchObject({ amount: 600, basePoints: 2, points: 2 });
  });

  it("a unit partly paid still counts: a 10% coupon on three colas earns for three", () => {
    expect(earn(p, sale([line("COLA", 300, { category: "beverage", quantity: 3, discount: 90 })])).points).toBe(3);
    // 1.5 colas' worth off leaves 1.5 paid: the half-paid one counts, the free one does not.
    expect(earn(p, sale([line("COLA", 300, { category: "beverage", quantity: 3, discount: 450 })])).points).toBe(2);
  });
});

describe("per visit", () => {
  const p = programme({ rules: [{ id: "visit", type: "per_visit", points: 10, minAmount: 1000 }, noAlcohol] });

  it("gives fixed points to a qualifying basket", () => {
    expect(earn(p, sale([line("BURGER", 999)])).points).toBe(0);
    expect(earn(p, sale([line("BURGER", 1000)])).points).toBe(10);
    expect(earn(p, sale([line("BURGER", 1000)], { occurredAt: "2025-03-04T12:00:00+01:00" })).points).toBe(10);
  });

  it("a basket of only excluded or reward-paid lines is not a qualifying visit", () => {
    const q = programme({ rules: [{ id: "visit", type: "per_visit", points: 10 }, noAlcohol] });
    expect(earn(q, sale([line("BEER", 5000, { category: "alcohol" })])).points).toBe(0);
    expect(earn(q, sale([line("COFFEE", 290, { discount: 290 })])).points).toBe(0);
  });
});

describe("caps", () => {
  it("per transaction", () => {
    const p = programme({ rules: [base], caps: { perTransaction: 50 } });
    expect(earn(p, sale([line("CATERING", 10000)]))).toMatchObject({
      points: 50,
      capped: { by: "per_transaction", uncapped: 100 },
    });
    expect(earn(p, sale([line("BURGER", 1450)]))).toMatchObject({ points: 14, capped: null });
  });

  it("per day: what is left of the daily cap, never below 0", () => {
    const p = programme({ rules: [base], caps: { perDay: 120 } });
    expect(earn(p, sale([line("CATERING", 10000)]), member({ earnedToday: 100 }))).toMatchObject({
      points: 20,
      capped: { by: "per_day", uncapped: 100 },
    });
    expect(earn(p, sale([line("CATERING", 10000)]), member({ earnedToday: 150 }))).toMatchObject({
      points: 0,
      capped: { by: "per_day", uncapped: 100 },
    });
    expect(earn(p, sale([line("CATERING", 10000)]), member({ earnedToday: 20 }))).toMatchObject({
      points: 100,
      capped: null,
    });
  });

  it("both: the binding one is reported", () => {
    const p = programme({ rules: [base], caps: { perTransaction: 50, perDay: 120 } });
    expect(earn(p, sale([line("CATERING", 10000)]), member({ earnedToday: 100 }))).toMatchObject({
      points: 20,
      capped: { by: "per_day" },
    });
    expect(earn(p, sale([line("CATERING", 10000)]), member({ earnedToday: 0 }))).toMatchObject({
      points: 50,
      capped: { by: "per_transaction" },
    });
  });
});

describe("rule filters", () => {
  const promo = {
    id: "march-2x",
    type: "multiplier",
    factor: 2,
    validFrom: "2025-03-01T00:00:00+01:00",
    validTo: "2025-04-01T00:00:00+02:00",
  };

  it("validity window is half-open: validFrom ≤ occurredAt < validTo", () => {
    const p = programme({ rules: [base, promo] });
    const at = (occurredAt: string) => earn(p, sale([line("BURGER", 1000)], { occurredAt })).points;
    expect(at("2025-02-28T23:59:59.999+01:00")).toBe(10);
    expect(at("2025-03-01T00:00:00+01:00")).toBe(20);
    expect(at("2025-03-31T23:59:59.999+02:00")).toBe(20);
    expect(at("2025-04-01T00:00:00+02:00")).toBe(10);
  });

  it("channels, locations and tiers: empty means all, otherwise the value must be listed", () => {
    const p = programme({
      rules: [
        { ...base, locations: ["warsaw-centrum", "krakow-rynek"] },
        { id: "app-2x", type: "multiplier", factor: 2, channels: ["app"] },
        { id: "silver-visit", type: "per_visit", points: 5, tiers: ["silver", "gold"] },
      ],
    });
    const basket = [line("BURGER", 1000)];
    expect(earn(p, sale(basket)).points).toBe(10);
    expect(earn(p, sale(basket, { channel: "app" })).points).toBe(20);
    expect(earn(p, sale(basket, { locationId: "gdansk-port" })).points).toBe(0);
    expect(earn(p, sale(basket), member({ tier: "silver" })).points).toBe(15);
    expect(earn(p, sale(basket), member({ tier: null })).points).toBe(10);
  });

  it("a disabled rule does nothing", () => {
    expect(earn(programme({ rules: [{ ...base, enabled: false }] }), sale([line("BURGER", 1450)])).points).toBe(0);
  });
});

describe("points stay exact at the largest amounts", () => {
  it("10^12 minor units at 1 point per 1.00 earn exactly 10^10 points: the float-noise allowance does not grow with the amount", () => {
    const r = evaluateEarning(
      programme({ rules: [base] }),
      sale([line("FEAST", 1_000_000_000, { quantity: 1_000 })]),
      member(),
      WARSAW,
    );
    expect(r.points).toBe(10_000_000_000);
  });
  it("still floors sums of fractions that float arithmetic leaves just below an integer (0.6 + 0.3 + 0.1)", () => {
    expect(
      evaluateEarning(
        programme({ rules: [{ ...base, pointsPerUnit: 1, unitMinor: 10 }] }),
        sale([line("A", 6), line("B", 3), line("C", 1)]),
        member(),
        WARSAW,
      ).points,
    ).toBe(1);
  });
});
