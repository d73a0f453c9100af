import { describe, expect, it } from "vitest";
import { evaluateEarning } from "../src/index.ts";
import { base, line, member, newDishes3x, programme, sale, tuesdayDouble, WARSAW } from "./fixtures.ts";

const TUESDAY_NOON = "2025-03-04T12:00:00+01:00";
// "3× on new dishes, not stacked with lower promotions"
const newOnly = { ...newDishes3x, priority: 10, stopProcessing: true };
const appBoost = { id: "app-boost", type: "multiplier", factor: 1.5, stackable: true };
const burger = line("BURGER", 1500);
const dish = line("NEW-DISH", 1200, { tags: ["new"] });
const tuesday = (lines: ReturnType<typeof line>[]) => sale(lines, { occurredAt: TUESDAY_NOON });

describe("a stopping multiplier stops lower multipliers on the lines it covers only", () => {
  it("leaves Tuesday's 2× on a burger it does not cover, so adding a new dish never lowers the burger", () => {
    const p = programme({ rules: [base, tuesdayDouble, newOnly] });
    const alone = evaluateEarning(p, tuesday([burger]), member(), WARSAW);
    expect(alone.points).toBe(30);

    const r = evaluateEarning(p, tuesday([burger, dish]), member(), WARSAW);
    expect(r.points).toBe(66); // burger 15 × 2 + dish 12 × 3
    expect(r.lines.map((l) => [l.basePoints, l.multiplier, l.points, l.rules])).toEqual([
      [15, 2, 30, ["base", "tuesday-2x"]],
      [12, 3, 36, ["base", "new-3x"]],
    ]);
    expect(r.rules.map((e) => [e.ruleId, e.points, e.lines, e.detail])).toEqual([
      ["new-3x", 24, [1], "3× on matching lines; stops multipliers below priority 10 on lines [1]"],
      ["base", 27, [0, 1], "1 pt per 100 on 2700 paid"],
      ["tuesday-2x", 15, [0], "2×"],
    ]);
  });

  it("still cuts a lower stackable multiplier on the lines it covers", () => {
    const p = programme({ rules: [base, tuesdayDouble, newOnly, appBoost] });
    const r = evaluateEarning(p, tuesday([burger, dish]), member(), WARSAW);
    expect(r.points).toBe(81); // burger 15 × 2 × 1.5 + dish 12 × 3, not × 4.5
    expect(r.lines.map((l) => [l.multiplier, l.rules])).toEqual([
      [3, ["base", "tuesday-2x", "app-boost"]],
      [3, ["base", "new-3x"]],
    ]);
  });

  it("each stop is named with the lines where it counted when two stopping multipliers split the basket", () => {
    const tuesdayOnly = { ...tuesdayDouble, priority: 5, stopProcessing: true };
    const p = programme({ rules: [base, tuesdayOnly, newOnly, appBoost] });
    const r = evaluateEarning(p, tuesday([burger, dish]), member(), WARSAW);
    expect(r.points).toBe(66);
    expect(r.lines.map((l) => [l.multiplier, l.rules])).toEqual([
      [2, ["base", "tuesday-2x"]],
      [3, ["base", "new-3x"]],
    ]);
    expect(r.rules.map((e) => [e.ruleId, e.detail])).toEqual([
      ["new-3x", "3× on matching lines; stops multipliers below priority 10 on lines [1]"],
      ["tuesday-2x", "2×; stops multipliers below priority 5 on lines [0]"],
      ["base", "1 pt per 100 on 2700 paid"],
    ]);
  });

  it("a multiplier cut on every line it covers is not listed", () => {
    const boostNew = { ...appBoost, products: { tags: ["new"] } };
    const p = programme({ rules: [base, tuesdayDouble, newOnly, boostNew] });
    const r = evaluateEarning(p, tuesday([burger, dish]), member(), WARSAW);
    expect(r.points).toBe(66);
    expect(r.rules.map((e) => e.ruleId)).toEqual(["new-3x", "base", "tuesday-2x"]);
  });
});
