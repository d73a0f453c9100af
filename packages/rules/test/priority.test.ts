import { describe, expect, it } from "vitest";
import { evaluateEarning } from "../src/index.ts";
import { base, line, member, newDishes3x, noAlcohol, programme, sale, tuesdayDouble, WARSAW } from "./fixtures.ts";

const TUESDAY_NOON = "2025-03-04T12:00:00+01:00";
const basket = [line("BURGER", 1450), line("VEGGIE-WRAP", 1200, { tags: ["new"] })];
const ids = (r: ReturnType<typeof evaluateEarning>) => r.rules.map((e) => e.ruleId);

describe("priority and stopProcessing", () => {
  it("an exclusive promotion: a stopping multiplier cuts lower-priority multipliers, not the higher base rate", () => {
    const p = programme({
      rules: [{ ...base, priority: 10 }, { ...newDishes3x, priority: 5, stopProcessing: true }, tuesdayDouble],
    });
    const r = evaluateEarning(p, sale(basket, { occurredAt: TUESDAY_NOON }), member(), WARSAW);
    expect(r.lines.map((l) => l.multiplier)).toEqual([1, 3]);
    expect(r.points).toBe(50);
    expect(ids(r)).toEqual(["base", "new-3x"]);
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
