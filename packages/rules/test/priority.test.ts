import { ProgrammeConfig } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateEarning, matchesLine } from "../src/index.ts";
import { customerArb, inputArb, lineMatchArb, programmeArb, ZONES } from "./arbitraries.ts";
import { base, line, member, newDishes3x, noAlcohol, programme, sale, tuesdayDouble, WARSAW } from "./fixtures.ts";

const TUESDAY_NOON = "2025-03-04T12:00:00+01:00";
const basket = [line("BURGER", 1450), line("VEGGIE-WRAP", 1200, { tags: ["new"] })];
const ids = (r: ReturnType<typeof evaluateEarning>) => r.rules.map((e) => e.ruleId);

describe("priority and stopProcessing", () => {
  it("an exclusive promotion: a stopping multiplier cuts lower-priority multipliers on its lines, not the higher base rate", () => {
    const p = programme({
      rules: [{ ...base, priority: 10 }, { ...newDishes3x, priority: 5, stopProcessing: true }, tuesdayDouble],
    });
    const r = evaluateEarning(p, sale(basket, { occurredAt: TUESDAY_NOON }), member(), WARSAW);
    // The burger is no new dish, so Tuesday still doubles it (pinned further in multiplier-stop.test.ts).
    expect(r.lines.map((l) => l.multiplier)).toEqual([2, 3]);
    expect(r.points).toBe(65);
    expect(ids(r)).toEqual(["base", "new-3x", "tuesday-2x"]);
  });

  it("a stopping rule that does not apply stops nothing", () => {
    const p = programme({
      rules: [{ ...base, priority: 10 }, { ...newDishes3x, priority: 5, stopProcessing: true }, tuesdayDouble],
    });
    const r = evaluateEarning(p, sale([line("BURGER", 1450)], { occurredAt: TUESDAY_NOON }), member(), WARSAW);
    expect(r.points).toBe(29);
    expect(ids(r)).toEqual(["base", "tuesday-2x"]);
  });

  it("only strictly lower priorities stop: equal priorities still run, whatever their list order", () => {
    const gold = {
      id: "gold-rate",
      type: "base_rate",
      pointsPerUnit: 2,
      unitMinor: 100,
      tiers: ["gold"],
      stopProcessing: true,
    };
    for (const rules of [
      [gold, base],
      [base, gold],
    ]) {
      expect(
        evaluateEarning(programme({ rules }), sale([line("BURGER", 1450)]), member({ tier: "gold" }), WARSAW).points,
      ).toBe(43);
    }
  });

  it("a rule sorted below the stop never runs, even if listed first", () => {
    const p = programme({
      rules: [
        { ...base, priority: -1 },
        { id: "flat", type: "per_visit", points: 3, stopProcessing: true },
      ],
    });
    expect(ids(evaluateEarning(p, sale([line("BURGER", 1450)]), member(), WARSAW))).toEqual(["flat"]);
  });

  it("a matching exclusion with stopProcessing stops lower-priority earning (staff meals earn nothing at all)", () => {
    const staff = { id: "staff-meal", type: "exclusion", match: { skus: ["STAFF-MEAL"] }, stopProcessing: true };
    const p = programme({ rules: [staff, { ...base, priority: -1 }, noAlcohol] });
    expect(evaluateEarning(p, sale([line("STAFF-MEAL", 0), line("BURGER", 1450)]), member(), WARSAW).points).toBe(0);
    expect(evaluateEarning(p, sale([line("BURGER", 1450)]), member(), WARSAW).points).toBe(14);
  });
});

describe("a stopping exclusion says what it stopped", () => {
  const beer = line("BEER", 500, { tags: ["alcohol"] });
  const burger = line("BURGER", 1500);

  it("names the priority it stops below, which is why the eligible burger earns nothing", () => {
    const p = programme({
      rules: [
        base,
        { id: "no-alcohol", type: "exclusion", match: { tags: ["alcohol"] }, priority: 5, stopProcessing: true },
      ],
    });
    const r = evaluateEarning(p, sale([beer, burger]), member(), WARSAW);
    expect(r.points).toBe(0);
    expect(r.rules).toEqual([
      {
        ruleId: "no-alcohol",
        type: "exclusion",
        points: 0,
        lines: [0],
        detail: "excluded lines [0]; stops rules below priority 5",
      },
    ]);
    expect(r.lines[1]).toMatchObject({ eligible: true, excludedBy: null, points: 0, rules: [] });
  });

  it("says it even when a higher exclusion took its lines", () => {
    const p = programme({
      rules: [
        base,
        { id: "ex-hi", type: "exclusion", match: { tags: ["alcohol"] }, priority: 5 },
        { id: "ex-lo", type: "exclusion", match: { tags: ["alcohol"] }, priority: 1, stopProcessing: true },
      ],
    });
    const r = evaluateEarning(p, sale([beer, burger]), member(), WARSAW);
    expect(r.points).toBe(0);
    expect(r.rules.map((e) => [e.ruleId, e.lines, e.detail])).toEqual([
      ["ex-hi", [0], "excluded lines [0]"],
      ["ex-lo", [], "excluded lines []; stops rules below priority 1"],
    ]);
  });

  it("is silent when a higher stopping rule already stops everything it would", () => {
    const p = programme({
      rules: [
        { ...base, priority: 10, stopProcessing: true },
        { id: "no-alcohol", type: "exclusion", match: { tags: ["alcohol"] }, priority: 5, stopProcessing: true },
      ],
    });
    const r = evaluateEarning(p, sale([beer, burger]), member(), WARSAW);
    expect(r.points).toBe(15);
    expect(r.rules.map((e) => e.detail)).toEqual([
      "excluded lines [0]",
      "1 pt per 100 on 1500 paid; stops rules below priority 10",
    ]);
  });
});

describe("a stopping multiplier stops lower multipliers only", () => {
  // "Double points on Tuesdays, not stacked with lower promotions"
  const tuesdayOnly = { ...tuesdayDouble, priority: 10, stopProcessing: true };
  const visit = { id: "visit", type: "per_visit", points: 5, priority: -1 };
  const stackable = { id: "app-boost", type: "multiplier", factor: 1.5, stackable: true };

  it("doubles the lower-priority base rate and keeps lower fixed points, dropping the lower multipliers", () => {
    const p = programme({ rules: [base, tuesdayOnly, newDishes3x, stackable, visit] });
    const r = evaluateEarning(p, sale(basket, { occurredAt: TUESDAY_NOON }), member(), WARSAW);
    expect(r.points).toBe(58); // (14.5 + 12) × 2 = 53, + 5
    expect(r.lines.map((l) => [l.basePoints, l.multiplier, l.points, l.rules])).toEqual([
      [14.5, 2, 29, ["base", "tuesday-2x"]],
      [12, 2, 24, ["base", "tuesday-2x"]],
    ]);
    expect(r.rules).toEqual([
      {
        ruleId: "tuesday-2x",
        type: "multiplier",
        points: 26.5,
        lines: [0, 1],
        detail: "2×; stops multipliers below priority 10 on lines [0, 1]",
      },
      { ruleId: "base", type: "base_rate", points: 26.5, lines: [0, 1], detail: "1 pt per 100 on 2650 paid" },
      { ruleId: "visit", type: "per_visit", points: 5, lines: [0, 1], detail: "per visit, basket 2650 ≥ 0" },
    ]);
  });

  it("on other days stops nothing: the lower multipliers apply", () => {
    const p = programme({ rules: [base, tuesdayOnly, newDishes3x, visit] });
    const r = evaluateEarning(p, sale(basket), member(), WARSAW);
    expect(r.points).toBe(55); // 14.5 + 12 × 3 = 50.5, floored, + 5
    expect(ids(r)).toEqual(["base", "new-3x", "visit"]);
  });

  it("never removes a rule that is not a multiplier, nor changes a line it does not cover", () => {
    const stopping = fc.record(
      {
        factor: fc.constantFrom(0.5, 2, 3),
        stackable: fc.boolean(),
        priority: fc.integer({ min: -4, max: 4 }),
        products: lineMatchArb,
      },
      { requiredKeys: ["factor", "stackable", "priority"] },
    );
    fc.assert(
      fc.property(programmeArb, stopping, inputArb, customerArb, fc.constantFrom(...ZONES), (p0, m, input, c, tz) => {
        const rule = (stopProcessing: boolean) => ({ id: "zz-stop", type: "multiplier", ...m, stopProcessing });
        const run = (extra: object[]) =>
          evaluateEarning(ProgrammeConfig.parse({ ...p0, rules: [...p0.rules, ...extra] }), input, c, tz);
        const [stops, doesNot, absent] = [run([rule(true)]), run([rule(false)]), run([])];
        const others = (r: typeof stops) =>
          r.rules
            .filter((e) => e.type !== "multiplier" && e.type !== "tier_multiplier")
            .map((e) => [e.ruleId, e.points]);
        expect(others(stops)).toEqual(others(doesNot));
        // Multipliers apply line by line, so a stop reaches only the lines the stopping one covers.
        for (const [i, l] of input.lines.entries())
          if (m.products !== undefined && !matchesLine(m.products, l)) expect(stops.lines[i]).toEqual(absent.lines[i]);
      }),
      { numRuns: 400 },
    );
  });
});
