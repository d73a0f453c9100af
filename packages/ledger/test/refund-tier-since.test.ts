import { describe, expect, it } from "vitest";
import { type LoyaltyState, planRefund, planSale, type SaleRecord } from "../src/index.ts";
import {
  base,
  type LineSpec,
  member,
  NOON,
  programme,
  recordOf,
  refundMessage,
  saleMessage,
  tiers,
} from "./fixtures.ts";

// A refund that takes back a tier upgrade goes back to the tier held before the sale with that tier's own
// `tierSince`, recorded in the sale's effects: its qualification period goes on as if the sale never happened,
// rather than a new one starting at the refund (which would keep the lower tier a window longer).

const REFUNDED_AT = "2024-03-08T18:00:00+01:00"; // refundMessage's default: two days after the sale
const silverSince = new Date("2023-04-10T12:00:00+02:00");
const p = programme({ rules: [base], tiers });
// 30 points: silver at 480 reaches gold (510); a full refund takes them back (480: silver).
const saleLines: LineSpec[] = [
  { sku: "menu", unitPrice: 2000 },
  { sku: "dessert", unitPrice: 1000 },
];

/** The sale planned, and its record as a later batch reads it back: effects through the stored JSON. */
const soldAndStored = (state: LoyaltyState) => {
  const m = saleMessage("S-UP", saleLines);
  const plan = planSale(m, state, p);
  const record: SaleRecord = recordOf(m, plan);
  return { plan, stored: { ...record, effects: JSON.parse(JSON.stringify(plan.effects)) } };
};
const refundAll = (record: SaleRecord, state: LoyaltyState) => {
  const plan = planRefund(refundMessage("R-1", "S-UP", saleLines), record, state, p.config);
  if (plan.rejected) throw new Error(plan.rejected.message);
  return plan;
};

describe("a refund that takes back a tier upgrade restores the lower tier's since", () => {
  it("records the tier held before the upgrade and since when; the refund, read back from storage, restores it", () => {
    const state = member({ tier: "silver", tierSince: silverSince, qualifying: 480 });
    const { plan, stored } = soldAndStored(state);
    expect(plan.effects.tier).toMatchObject({ from: "silver", fromSince: silverSince.toISOString(), to: "gold" });
    expect(state).toMatchObject({ tier: "gold", tierSince: new Date(NOON) });

    expect(refundAll(stored, state).effects.tierRevoked).toEqual({ from: "gold", to: "silver" });
    expect(state).toMatchObject({ tier: "silver", tierSince: silverSince, tierChanged: true, qualifying: 480 });
  });

  it("also within the batch that planned the sale (its effects not stored yet)", () => {
    const state = member({ tier: "silver", tierSince: silverSince, qualifying: 480 });
    const m = saleMessage("S-UP", saleLines);
    const record = recordOf(m, planSale(m, state, p));
    refundAll(record, state);
    expect(state).toMatchObject({ tier: "silver", tierSince: silverSince });
  });

  it("effects stored before `fromSince` was recorded: the lower tier starts at the refund, as it did", () => {
    const state = member({ tier: "silver", tierSince: silverSince, qualifying: 480 });
    const { stored } = soldAndStored(state);
    const { fromSince: _, ...legacyTier } = stored.effects.tier!;
    refundAll({ ...stored, effects: { ...stored.effects, tier: legacyTier } }, state);
    expect(state).toMatchObject({ tier: "silver", tierSince: new Date(REFUNDED_AT) });
  });

  it("a refund that lands on a tier between the two starts that tier at the refund", () => {
    // Bronze at 150 since April; the sale earns 400 (550: gold); refunding the 300 of its first line leaves 250: silver,
    // a tier the customer did not hold before the sale.
    const state = member({ tier: "bronze", tierSince: silverSince, qualifying: 150 });
    const lines: LineSpec[] = [
      { sku: "feast", unitPrice: 30_000 },
      { sku: "wine", unitPrice: 10_000 },
    ];
    const m = saleMessage("S-BIG", lines);
    const record = recordOf(m, planSale(m, state, p));
    expect(state.tier).toBe("gold");
    const plan = planRefund(refundMessage("R-2", "S-BIG", [{ ...lines[0]!, lineNo: 0 }]), record, state, p.config);
    expect(plan.rejected).toBeUndefined();
    expect(state).toMatchObject({ tier: "silver", tierSince: new Date(REFUNDED_AT), qualifying: 250 });
  });
});
