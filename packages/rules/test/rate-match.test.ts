import { ProgrammeConfig } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateEarning, matchesLine, paidAmount } from "../src/index.ts";
import { customerArb, inputArb, lineMatchArb, programmeArb, SKUS, ZONES } from "./arbitraries.ts";
import {
  base,
  line,
  member,
  newDishes3x,
  noAlcohol,
  programme,
  sale,
  tiers,
  tuesdayDouble,
  WARSAW,
} from "./fixtures.ts";

const TUESDAY_NOON = "2025-03-04T12:00:00+01:00";
const drinks = {
  id: "drinks-2",
  type: "base_rate",
  pointsPerUnit: 2,
  unitMinor: 100,
  match: { categories: ["beverage"] },
} as const;
const basket = [line("COLA", 300, { category: "beverage", quantity: 2 }), line("BURGER", 1450)];
const earn = (p: ProgrammeConfig, lines = basket, more: Parameters<typeof sale>[1] = {}, customer = member()) =>
  evaluateEarning(p, sale(lines, more), customer, WARSAW);

describe("a base rate limited to matching lines: 2 points per €1 on drinks", () => {
  it("counts only the matching eligible lines and explains which ones", () => {
    const r = earn(programme({ rules: [drinks] }));
    expect(r.points).toBe(12); // 6.00 of cola × 2
    expect(r.lines.map((l) => [l.eligible, l.basePoints, l.points, l.rules])).toEqual([
      [true, 12, 12, ["drinks-2"]],
      [true, 0, 0, []],
    ]);
    expect(r.rules).toEqual([
      {
        ruleId: "drinks-2",
        type: "base_rate",
        points: 12,
        lines: [0],
        detail: "2 pt per 100 on 600 paid on matching lines",
      },
    ]);
  });

  it("adds to the programme-wide rate on the lines it matches: 1 + 2 per €1 on drinks, 1 on the rest", () => {
    const r = earn(programme({ rules: [base, drinks] }));
    expect(r.points).toBe(32); // 6 + 12 on the cola, 14.5 on the burger: 32.5, floored once
    expect(r.lines.map((l) => [l.basePoints, l.rules])).toEqual([
      [18, ["base", "drinks-2"]],
      [14.5, ["base"]],
    ]);
    expect(r.rules.map((e) => [e.ruleId, e.points, e.lines])).toEqual([
      ["base", 20.5, [0, 1]],
      ["drinks-2", 12, [0]],
    ]);
  });

  it("earns on what was paid, and never on an excluded line it matches", () => {
    const q = programme({ rules: [{ ...drinks, match: { tags: ["drink"] } }, noAlcohol] });
    const r = earn(q, [
      line("LEMONADE", 400, { tags: ["drink"], quantity: 2, discount: 250 }),
      line("BEER", 900, { tags: ["drink", "alcohol"] }),
    ]);
    expect(r.points).toBe(11); // 5.50 paid for lemonade × 2; the beer is excluded
    expect(r.rules.map((e) => [e.ruleId, e.lines, e.detail])).toEqual([
      ["no-alcohol", [1], "excluded lines [1]"],
      ["drinks-2", [0], "2 pt per 100 on 550 paid on matching lines"],
    ]);
  });

  it("does not apply, and is not listed, when no eligible line matches", () => {
    const r = earn(programme({ rules: [base, drinks] }), [line("BURGER", 1450), line("COLA", 300, { discount: 300 })]);
    expect(r.points).toBe(14);
    expect(r.rules.map((e) => e.ruleId)).toEqual(["base"]);
  });

  it("its points are line points: weekday, product and tier multipliers scale them, and each says what it added", () => {
    const gold = {
      ...tiers,
      levels: tiers.levels.map((l) => (l.id === "gold" ? { ...l, benefits: { earnMultiplier: 1.5 } } : l)),
    };
    const p = programme({ rules: [drinks, tuesdayDouble, newDishes3x], tiers: gold });
    const lines = [
      line("COLA", 300, { category: "beverage", quantity: 2 }),
      line("NEW-SODA", 500, { category: "beverage", tags: ["new"] }),
      line("BURGER", 1450),
    ];
    const r = earn(p, lines, { occurredAt: TUESDAY_NOON }, member({ tier: "gold" }));
    // Cola 12 × 2 (Tuesday beats gold's 1.5); new soda 10 × 3; the burger has no points to multiply.
    expect(r.lines.map((l) => [l.basePoints, l.multiplier, l.points])).toEqual([
      [12, 2, 24],
      [10, 3, 30],
      [0, 1, 0],
    ]);
    expect(r.points).toBe(54);
    expect(r.rules.map((e) => [e.ruleId, e.points, e.lines])).toEqual([
      ["drinks-2", 22, [0, 1]],
      ["tuesday-2x", 12, [0]],
      ["new-3x", 20, [1]],
    ]);
  });

  it("with stopProcessing it stops lower priorities for the whole basket, but only when a matching line is there", () => {
    const p = programme({ rules: [{ ...drinks, priority: 5, stopProcessing: true }, base] });
    const stopped = earn(p);
    expect(stopped.points).toBe(12); // the burger earns nothing: the base rate was stopped
    expect(stopped.rules).toEqual([
      expect.objectContaining({
        ruleId: "drinks-2",
        detail: "2 pt per 100 on 600 paid on matching lines; stops rules below priority 5",
      }),
    ]);
    expect(earn(p, [line("BURGER", 1450)]).rules.map((e) => [e.ruleId, e.points])).toEqual([["base", 14.5]]);
  });

  it("two matched rates on one line add up, whatever their order", () => {
    const snacks = { id: "snacks-1", type: "base_rate", pointsPerUnit: 1, unitMinor: 100, match: { tags: ["combo"] } };
    const lines = [line("COLA", 300, { category: "beverage", tags: ["combo"] })];
    for (const rules of [
      [drinks, snacks],
      [snacks, drinks],
    ])
      expect(earn(programme({ rules }), lines).points).toBe(9);
  });
});

describe("matched base rate properties", () => {
  const zone = fc.constantFrom(...ZONES);
  const runs = { numRuns: 300 };

  it("alone (with exclusions) it earns floor(Σ matching eligible amounts × rate): other lines change nothing", () => {
    fc.assert(
      fc.property(
        lineMatchArb,
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(100, 50, 300, 1000),
        inputArb,
        zone,
        (match, pointsPerUnit, unitMinor, input, tz) => {
          const p = programme({
            rules: [{ id: "scoped", type: "base_rate", pointsPerUnit, unitMinor, match }, noAlcohol],
          });
          const alcohol = (l: (typeof input.lines)[number]) => l.category === "alcohol" || l.tags.includes("alcohol");
          const covered = input.lines
            .filter((l) => !alcohol(l) && matchesLine(match, l))
            .reduce((sum, l) => sum + paidAmount(l), 0);
          const r = evaluateEarning(p, input, member(), tz);
          expect(r.points).toBe(Math.floor((covered * pointsPerUnit) / unitMinor));
          for (const l of r.lines) if (l.points > 0) expect(l.rules).toContain("scoped");
        },
      ),
      runs,
    );
  });

  it("a match naming every sku earns exactly what the same rate without a match earns", () => {
    fc.assert(
      fc.property(
        programmeArb,
        fc.integer({ min: -3, max: 3 }),
        fc.boolean(),
        inputArb,
        customerArb,
        zone,
        (p0, priority, stopProcessing, input, customer, tz) => {
          const rate = { id: "zz-rate", type: "base_rate", pointsPerUnit: 2, unitMinor: 100, priority, stopProcessing };
          const everyLine = ProgrammeConfig.parse({ ...p0, rules: [...p0.rules, { ...rate, match: { skus: SKUS } }] });
          const unmatched = ProgrammeConfig.parse({ ...p0, rules: [...p0.rules, rate] });
          const a = evaluateEarning(everyLine, input, customer, tz);
          const b = evaluateEarning(unmatched, input, customer, tz);
          expect(a.points).toBe(b.points);
          expect(a.lines).toEqual(b.lines);
          expect(a.rules.map(({ detail: _, ...e }) => e)).toEqual(b.rules.map(({ detail: _, ...e }) => e));
        },
      ),
      runs,
    );
  });
});
