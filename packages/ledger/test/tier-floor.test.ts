import { describe, expect, it } from "vitest";
import { type LoyaltyState, planRefund, planSale, saleRecordOf } from "../src/index.ts";
import { base, CUSTOMER, member, NOON, programme, refundMessage, saleMessage, tiers } from "./fixtures.ts";

// Tiers: bronze 0, silver 200 (reward 50), gold 500 (2× line points, reward 100); 1 point per 1.00 paid.
const p = programme({ rules: [base], tiers });
/** The floor ends on the evening of the sale day (NOON is 2024-03-06 12:00 in Warsaw). */
const until = new Date("2024-03-06T18:00:00+01:00");
const gold = { tier: "gold", until };

describe("planSale with a tier floor", () => {
  it("earns at the floor tier while it is in force: gold's 2× on a bronze customer with a gold floor", () => {
    const state = member({ tier: "bronze", qualifying: 40, tierFloor: gold });
    const plan = planSale(saleMessage("S-1", [{ sku: "menu", unitPrice: 3000 }]), state, p);
    expect(plan.points).toBe(60);
    expect(plan.explanation?.rules.map((r) => [r.ruleId, r.points])).toEqual([
      ["base", 30],
      ["tier:gold", 30],
    ]);
    // The stored tier catches up with the floor; the customer already saw gold, so nothing is announced.
    expect(plan.events).toEqual([]);
    expect(plan.movements.map((m) => m.kind)).toEqual(["earn"]);
    expect(state).toMatchObject({ tier: "gold", tierChanged: true, qualifying: 100 });
  });

  it("the floor counts by the sale's own time: a sale stamped at `until` or later earns at the tier held", () => {
    const lines = [{ sku: "menu", unitPrice: 3000 }];
    const atEnd = member({ tier: "bronze", qualifying: 40, tierFloor: gold });
    expect(planSale(saleMessage("S-2", lines, "2024-03-06T18:00:00+01:00"), atEnd, p).points).toBe(30);
    expect(atEnd).toMatchObject({ tier: "bronze", tierChanged: false });
    // A sale stamped before the end still earns at the floor, whenever it is applied.
    const late = member({ tier: "bronze", qualifying: 40, tierFloor: gold });
    expect(planSale(saleMessage("S-3", lines, "2024-03-06T17:59:59.999+01:00"), late, p).points).toBe(60);
  });

  it("qualifying above the floor upgrades from the floor tier, with the reward and the event", () => {
    const state = member({ tier: "bronze", qualifying: 480, tierFloor: { tier: "silver", until } });
    const plan = planSale(saleMessage("S-UP", [{ sku: "menu", unitPrice: 3000 }]), state, p);
    expect(plan.points).toBe(30); // silver earns 1×; gold's 2× starts with the next sale
    expect(plan.events).toEqual([
      expect.objectContaining({
        type: "tier.changed",
        from: "silver",
        to: "gold",
        direction: "up",
        qualifyingValue: 510,
      }),
    ]);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 30],
      ["bonus", 100],
    ]);
    expect(plan.effects.tier).toMatchObject({ from: "silver", to: "gold", rewardPoints: 100 });
    expect(state.tier).toBe("gold");
  });

  it("qualifying for a tier below the floor changes nothing and pays no reward", () => {
    const state = member({ tier: "bronze", qualifying: 190, tierFloor: gold });
    const plan = planSale(saleMessage("S-4", [{ sku: "menu", unitPrice: 3000 }]), state, p);
    expect(plan.points).toBe(60); // 190 + 60 = 250 qualifies for silver; the customer holds gold
    expect(plan.events).toEqual([]);
    expect(plan.movements.map((m) => m.kind)).toEqual(["earn"]);
    expect(state).toMatchObject({ tier: "gold", qualifying: 250 });
  });

  it("a refund of an upgrading sale goes back to the floor tier, not below it", () => {
    const silverFloor = { tier: "silver", until: new Date("2024-04-01T00:00:00+02:00") };
    const state = member({ tier: "bronze", qualifying: 180, tierFloor: silverFloor });
    const sale = saleMessage("S-BIG", [{ sku: "feast", unitPrice: 35_000 }], NOON);
    const plan = planSale(sale, state, p);
    expect(state).toMatchObject({ tier: "gold", qualifying: 530 });
    const refund = planRefund(
      refundMessage("R-BIG", "S-BIG", [{ sku: "feast", unitPrice: 35_000 }]),
      saleRecordOf(sale, CUSTOMER, plan),
      state,
      p.config,
    );
    expect(refund.rejected).toBeUndefined();
    // 180 left qualifies for bronze; the sale started from silver (the floor), so that is where it goes back.
    expect(state).toMatchObject({ tier: "silver", qualifying: 180 });
  });

  it("without tiers in the programme a floor does nothing", () => {
    const state = member({ tier: "bronze", tierFloor: gold });
    const plan = planSale(saleMessage("S-5", [{ sku: "menu", unitPrice: 3000 }]), state, programme({ rules: [base] }));
    expect(plan.points).toBe(30);
    expect(state).toMatchObject({ tier: "bronze", tierChanged: false });
  });
});

describe("planRefund with a tier floor set after the upgrading sale", () => {
  const hoursAfterNoon = (hours: number) => new Date(Date.parse(NOON) + hours * 3_600_000);
  const refundAt = hoursAfterNoon(2);
  /** A sale at NOON (250.00 unless said), then an admin's floor; the refund comes two hours after the sale. */
  const upgradeThenFloor = (state: LoyaltyState, floor: { tier: string; until: Date }, price = 25_000) => {
    const feast = [{ sku: "feast", unitPrice: price }];
    const sale = saleMessage("S-A", feast);
    const plan = planSale(sale, state, p);
    state.tierFloor = floor;
    const refund = planRefund(
      refundMessage("R-A", "S-A", feast, refundAt.toISOString()),
      saleRecordOf(sale, CUSTOMER, plan),
      state,
      p.config,
    );
    if (refund.rejected) throw new Error(refund.rejected.message);
    return { plan, refund };
  };

  it("keeps the floor's tier, announces no change, and still takes back the upgrade's reward", () => {
    const state = member({ tier: "silver", qualifying: 300, tierSince: hoursAfterNoon(-48) });
    const { plan, refund } = upgradeThenFloor(state, { tier: "gold", until: hoursAfterNoon(24 * 30) });
    expect(plan.effects.tier).toMatchObject({ from: "silver", to: "gold", rewardPoints: 100 });

    expect(refund.events).toEqual([]);
    // The reward was paid for qualifying, which the refund undid; the floor keeps the tier, not the reward.
    expect(refund.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["reverse", -250],
      ["bonus", -100],
    ]);
    // Gold is now held by the floor alone: judged when the floor ends, since the time gold was reached.
    expect(state).toMatchObject({ tier: "gold", tierSince: new Date(NOON), tierByFloor: true, qualifying: 300 });
    expect(refund.effects.tierRevoked).toEqual({ from: "gold", to: "gold" });
  });

  it("goes down no further than the floor: gold reached from bronze, a silver floor, a refund", () => {
    const state = member({ tier: "bronze", qualifying: 180 });
    const { refund } = upgradeThenFloor(state, { tier: "silver", until: hoursAfterNoon(24 * 30) }, 35_000);
    expect(refund.events).toEqual([
      expect.objectContaining({ type: "tier.changed", from: "gold", to: "silver", direction: "down" }),
    ]);
    expect(state).toMatchObject({ tier: "silver", tierSince: refundAt, tierByFloor: true, qualifying: 180 });
  });

  it("a floor that ended before the refund holds nothing up", () => {
    const state = member({ tier: "silver", qualifying: 300, tierSince: hoursAfterNoon(-48) });
    const { refund } = upgradeThenFloor(state, { tier: "gold", until: hoursAfterNoon(1) });
    expect(refund.events).toEqual([
      expect.objectContaining({ type: "tier.changed", from: "gold", to: "silver", direction: "down" }),
    ]);
    expect(state).toMatchObject({ tier: "silver", tierSince: hoursAfterNoon(-48), tierByFloor: false });
  });
});
