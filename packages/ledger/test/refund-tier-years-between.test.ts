import { describe, expect, it } from "vitest";
import { planRefund, planSale, saleRecordOf } from "../src/index.ts";
import { CUSTOMER, member, refundMessage, saleMessage } from "./fixtures.ts";
import { meal, windowOf, year, yearly } from "./tier-periods-fixtures.ts";

// A sale of year `year - 1` refunded in February of `year + 1`: the year between is the one the last year-end run
// judged the tier on (`pastSaleQualifying`), loaded under its last instant as the store loads it.
const at = (y: number, monthDay: string) => `${y}-${monthDay}T12:00:00+01:00`;
const saleAt = at(year - 1, "11-20");
const refundAt = at(year + 1, "02-10");
const yearBetween = windowOf(at(year, "06-10"));
const lastInstantOfYearBetween = yearBetween.until.getTime() - 1;

describe("tier windows: a refund of a sale two periods back", () => {
  /** The November sale that reached gold on its own (550, +100 reward), and its record. */
  function goldInNovember() {
    const state = member({ qualifyingWindow: windowOf(saleAt) });
    const sale = saleMessage("S-OLD", meal(550), saleAt);
    const sold = planSale(sale, state, yearly);
    expect(state.tier).toBe("gold");
    return saleRecordOf(sale, CUSTOMER, sold);
  }
  /** The state a refund in February loads: the new year's total, the sale's year's, and the year between's. */
  const inFebruary = (between: number | null) =>
    member({
      tier: "gold",
      tierSince: new Date(saleAt),
      qualifying: 0,
      qualifyingWindow: windowOf(refundAt),
      windowsByTime: new Map([
        [Date.parse(saleAt), { ...windowOf(saleAt), qualifying: 550 }],
        ...(between === null ? [] : [[lastInstantOfYearBetween, { ...yearBetween, qualifying: between }] as const]),
      ]),
    });
  const refund = () => refundMessage("R-OLD", "S-OLD", meal(550), refundAt);

  it("keeps gold and its reward while the year between (which the year-end run kept gold on) still qualifies", () => {
    const record = goldInNovember();
    const state = inFebruary(600);
    const plan = planRefund(refund(), record, state, yearly.config);
    if (plan.rejected) throw new Error(plan.rejected.message);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -550]]);
    expect(plan.events).toEqual([]);
    expect(plan.effects.tierRevoked).toBeNull();
    expect(record.tierRevoked).toBe(false);
    expect(state).toMatchObject({ tier: "gold", tierChanged: false });
    // The refund takes from its sale's year alone.
    expect(state.windowsByTime!.get(Date.parse(saleAt))!.qualifying).toBe(0);
    expect(state.windowsByTime!.get(lastInstantOfYearBetween)!.qualifying).toBe(600);
  });

  it("takes gold and its reward back to the level the best year still earns when none of them reaches gold", () => {
    const record = goldInNovember();
    const state = inFebruary(300);
    const plan = planRefund(refund(), record, state, yearly.config);
    if (plan.rejected) throw new Error(plan.rejected.message);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["reverse", -550],
      ["bonus", -100],
    ]);
    expect(plan.events).toMatchObject([{ type: "tier.changed", from: "gold", to: "silver", qualifyingValue: 300 }]);
    expect(state).toMatchObject({ tier: "silver", tierChanged: true });
  });
});
