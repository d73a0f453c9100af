import { describe, expect, it } from "vitest";
import { planSale } from "../src/index.ts";
import { member, saleMessage } from "./fixtures.ts";
import { december, meal, windowOf, year, yearly } from "./tier-periods-fixtures.ts";

// A sale of 28 December uploaded after the new year's run lowered the tier on December's year (480: gold to silver).
// The year before that December's is what the run that opened it kept the tier on, loaded under its last instant as
// the store loads it beside such a sale.
const lateSaleAt = december(28);
const saleYear = windowOf(lateSaleAt);
const yearBefore = windowOf(`${year - 1}-06-10T12:00:00+01:00`);
const lastInstantOfYearBefore = yearBefore.until.getTime() - 1;

/** Silver since the run of 1 January that judged December's year (480); `before`: the year before's total. */
const loweredAtNewYear = (before: number | null) =>
  member({
    tier: "silver",
    tierSince: saleYear.until,
    qualifying: 480,
    qualifyingWindow: saleYear,
    ...(before === null
      ? {}
      : { windowsByTime: new Map([[lastInstantOfYearBefore, { ...yearBefore, qualifying: before }]]) }),
  });

describe("tier windows: a late sale of a year whose end lowered the tier", () => {
  it("restores gold held through that year (the year before kept it) without paying its reward again", () => {
    const state = loweredAtNewYear(520);
    const plan = planSale(saleMessage("S-LATE", meal(50), lateSaleAt), state, yearly);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["earn", 50]]);
    expect(plan.events).toMatchObject([
      { type: "tier.changed", from: "silver", to: "gold", direction: "up", qualifyingValue: 530 },
    ]);
    // A refund of the late sale takes the restored tier back, and no reward with it.
    expect(plan.effects.tier).toMatchObject({ from: "silver", to: "gold", rewardPoints: 0, rewardKey: null });
    expect(state).toMatchObject({ tier: "gold", tierChanged: true });
  });

  it("pays the reward for a tier not held through that year, or when the year before is not loaded", () => {
    for (const before of [300, null]) {
      const state = loweredAtNewYear(before);
      const plan = planSale(saleMessage("S-LATE", meal(50), lateSaleAt), state, yearly);
      expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
        ["earn", 50],
        ["bonus", 100],
      ]);
      expect(state.tier).toBe("gold");
    }
  });

  it("pays it for a sale of that year delivered before the year ended (the tier set since is an upgrade's)", () => {
    const state = member({
      tier: "silver",
      tierSince: new Date(december(20)),
      qualifying: 480,
      qualifyingWindow: saleYear,
      windowsByTime: new Map([[lastInstantOfYearBefore, { ...yearBefore, qualifying: 520 }]]),
    });
    const plan = planSale(saleMessage("S-LATE", meal(50), lateSaleAt), state, yearly);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 50],
      ["bonus", 100],
    ]);
  });
});
