import type { SaleUpgrade } from "@regulars/rules";
import { describe, expect, it } from "vitest";
import { planSale } from "../src/index.ts";
import { tierHeldAt } from "../src/tier-held-at.ts";
import { base, member, NOON, programme, saleMessage, tiers } from "./fixtures.ts";

// Tiers: bronze 0, silver 200 (reward 50), gold 500 (2× line points, reward 100); 1 point per 1.00 paid. NOON is
// 2024-03-06 12:00 in Warsaw; the sales below are dated hours and days around it.
const p = programme({ rules: [base], tiers });
const hour = 3_600_000;
const at = (hours: number) => new Date(Date.parse(NOON) + hours * hour);
const upgrade = (saleId: string, hours: number, from: string | null, to: string, fromHours: number | null) => ({
  saleId,
  at: at(hours),
  upgrade: {
    from,
    fromSince: fromHours === null ? null : at(fromHours).toISOString(),
    fromByFloor: false,
    to,
    rewardPoints: 0,
    rewardKey: null,
  },
});
const lifetime = { since: new Date(0), until: null };

describe("tierHeldAt", () => {
  const history: SaleUpgrade[] = [
    upgrade("S-SILVER", -72, "bronze", "silver", -200),
    upgrade("S-GOLD", -1, "silver", "gold", -72),
  ];
  const gold = { tier: "gold", tierSince: at(-1), tierHistory: history };

  it("is the tier held now for a time at or after tierSince, or without a tierSince", () => {
    expect(tierHeldAt(gold, at(-1))).toBe("gold");
    expect(tierHeldAt(gold, at(0))).toBe("gold");
    expect(tierHeldAt({ tier: "gold", tierSince: null }, at(-500))).toBe("gold");
  });

  it("walks back the upgrades made after the time: silver before gold, bronze before silver", () => {
    expect(tierHeldAt(gold, at(-2))).toBe("silver");
    expect(tierHeldAt(gold, at(-72))).toBe("silver");
    expect(tierHeldAt(gold, at(-100))).toBe("bronze");
    // Loaded for refunds (`upgrades`) counts as well.
    expect(tierHeldAt({ tier: "gold", tierSince: at(-1), upgrades: history }, at(-100))).toBe("bronze");
  });

  it("stops where a tier was not given by an upgrade: nothing records what came before it", () => {
    // Gold given by a floor (or the tier job) at -1h: no upgrade gave it then.
    expect(tierHeldAt({ tier: "gold", tierSince: at(-1), tierHistory: [history[0]!] }, at(-100))).toBe("gold");
    expect(tierHeldAt({ tier: "gold", tierSince: at(-1) }, at(-100))).toBe("gold");
  });
});

describe("planSale earns at the tier held when the sale happened", () => {
  const lines = [{ sku: "menu", unitPrice: 1000 }];
  const iso = (hours: number) => at(hours).toISOString();

  it("a late sale from before the upgrade to gold earns bronze's 1×, and still counts toward the tier held now", () => {
    const state = member({
      tier: "gold",
      tierSince: at(-1),
      qualifying: 600,
      qualifyingWindow: lifetime,
      tierHistory: [upgrade("S-600", -1, null, "gold", null)],
    });
    const plan = planSale(saleMessage("S-LATE", lines, iso(-72)), state, p);
    expect(plan.points).toBe(10);
    expect(state).toMatchObject({ tier: "gold", tierSince: at(-1), qualifying: 610 });
    // A sale after the upgrade earns gold's 2×.
    expect(planSale(saleMessage("S-NOW", lines, iso(0)), state, p).points).toBe(20);
  });

  it("in one batch, an upgrade planned first does not apply to a sale dated before it", () => {
    const state = member({ qualifyingWindow: lifetime });
    expect(planSale(saleMessage("S-600", [{ sku: "menu", unitPrice: 60_000 }], iso(-1)), state, p).points).toBe(600);
    expect(state.tier).toBe("gold");
    expect(planSale(saleMessage("S-EARLIER", lines, iso(-2)), state, p).points).toBe(10);
    expect(state).toMatchObject({ tier: "gold", qualifying: 610 });
  });

  it("a rule for gold members (`rule.tiers`) passes over a late sale from before the upgrade", () => {
    const goldBonus = { id: "gold-bonus", type: "per_visit", points: 5, tiers: ["gold"] };
    const withBonus = programme({ rules: [base, goldBonus], tiers });
    const state = member({
      tier: "gold",
      tierSince: at(-1),
      qualifying: 600,
      qualifyingWindow: lifetime,
      tierHistory: [upgrade("S-600", -1, "bronze", "gold", -200)],
    });
    const late = planSale(saleMessage("S-LATE", lines, iso(-72)), state, withBonus);
    expect(late.explanation?.rules.map((r) => r.ruleId)).toEqual(["base"]);
    const now = planSale(saleMessage("S-NOW", lines, iso(0)), state, withBonus);
    expect(now.explanation?.rules.map((r) => r.ruleId)).toContain("gold-bonus");
  });

  it("a late sale can still upgrade from the tier held now", () => {
    const state = member({
      tier: "silver",
      tierSince: at(-1),
      qualifying: 450,
      qualifyingWindow: lifetime,
      tierHistory: [upgrade("S-SILVER", -1, "bronze", "silver", -200)],
    });
    const plan = planSale(saleMessage("S-LATE", [{ sku: "menu", unitPrice: 6000 }], iso(-72)), state, p);
    expect(plan.points).toBe(60); // bronze then
    expect(plan.events).toEqual([expect.objectContaining({ type: "tier.changed", from: "silver", to: "gold" })]);
    expect(state.tier).toBe("gold");
  });
});
