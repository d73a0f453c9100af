import { describe, expect, it } from "vitest";
import { planRefund, planSale, saleRecordOf } from "../src/index.ts";
import { CUSTOMER, member, refundMessage, saleMessage } from "./fixtures.ts";
import { december, january, meal, windowOf, yearly } from "./tier-periods-fixtures.ts";

// Tiers on points earned per calendar year (`tier-periods-fixtures`): sales and refunds of two periods.

describe("tier windows: a refund of a sale of a past period", () => {
  /** The December sale of the 20th that reached gold (450 earned before it: 550, +100), and its record. */
  function goldOnDecember20() {
    const dec = member({ tier: "silver", qualifying: 450, qualifyingWindow: windowOf(december(20)) });
    const sale = saleMessage("S-UP", meal(100), december(20));
    const sold = planSale(sale, dec, yearly);
    expect(dec.tier).toBe("gold");
    return saleRecordOf(sale, CUSTOMER, sold);
  }
  /** The state a refund on 2 January loads: the new year's total, and December's (at the sale's time) as stored. */
  const inJanuary = (newYear: number, decemberTotal: number) =>
    member({
      tier: "gold",
      tierSince: new Date(december(20)),
      qualifying: newYear,
      qualifyingWindow: windowOf(january(2)),
      windowsByTime: new Map([[Date.parse(december(20)), { ...windowOf(december(20)), qualifying: decemberTotal }]]),
    });

  it("in January, of the December sale that alone reached gold, takes gold and its reward back with its points", () => {
    const record = goldOnDecember20();
    // December holds 550 with the sale, 450 after the refund: below gold, and the new year's 0 is too.
    const jan = inJanuary(0, 550);
    const plan = planRefund(refundMessage("R-1", "S-UP", meal(100), january(2)), record, jan, yearly.config);
    if (plan.rejected) throw new Error(plan.rejected.message);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["reverse", -100],
      ["bonus", -100],
    ]);
    expect(plan.events).toMatchObject([{ type: "tier.changed", from: "gold", to: "silver", qualifyingValue: 450 }]);
    expect(plan.effects.tierRevoked).toEqual({ from: "gold", to: "silver" });
    expect(record.tierRevoked).toBe(true);
    expect(jan).toMatchObject({ tier: "silver", qualifying: 0, tierChanged: true });
    expect(jan.windowsByTime!.get(Date.parse(december(20)))!.qualifying).toBe(450);
  });

  it("in January, keeps gold and its reward while December after the refund or the new year still qualifies", () => {
    for (const [newYear, decemberTotal] of [
      [0, 650], // December: 550 after the refund
      [520, 550], // the new year alone reached gold
    ] as const) {
      const record = goldOnDecember20();
      const jan = inJanuary(newYear, decemberTotal);
      const plan = planRefund(refundMessage("R-1", "S-UP", meal(100), january(2)), record, jan, yearly.config);
      if (plan.rejected) throw new Error(plan.rejected.message);
      expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -100]]);
      expect(plan.effects.tierRevoked).toBeNull();
      expect(jan).toMatchObject({ tier: "gold", qualifying: newYear, tierChanged: false });
    }
  });

  it("in January, with December's total not loaded, leaves the upgrade to the tier job", () => {
    const record = goldOnDecember20();
    const jan = member({ tier: "gold", tierSince: new Date(december(20)), qualifyingWindow: windowOf(january(2)) });
    const plan = planRefund(refundMessage("R-1", "S-UP", meal(100), january(2)), record, jan, yearly.config);
    if (plan.rejected) throw new Error(plan.rejected.message);
    expect(plan.movements.map((m) => [m.kind, m.amount])).toEqual([["reverse", -100]]);
    expect(jan).toMatchObject({ tier: "gold", qualifying: 0, tierChanged: false });
  });
});

describe("tier windows: a batch holding sales of two periods", () => {
  it("28 December (300) and 3 January (250) in one batch reach silver, as in two batches: never 550 together", () => {
    const state = member({ qualifyingWindow: windowOf(january(3)) });
    const late = planSale(saleMessage("S-DEC", meal(300), december(28)), state, yearly);
    const now = planSale(saleMessage("S-JAN", meal(250), january(3)), state, yearly);
    expect([late.points, now.points]).toEqual([300, 250]);
    // The December sale counts in December's total, which the batch did not load: it upgrades nothing here.
    expect(late.effects.tier).toBeNull();
    expect(late.events).toEqual([]);
    expect(now.movements.map((m) => m.kind)).toEqual(["earn"]);
    expect(state).toMatchObject({ tier: "silver", qualifying: 250 });
  });

  it("with December's total loaded beside the new year's, the December sale is judged on December's", () => {
    // 450 stored in December; +100 on 28 December and +10 on 3 January uploaded together.
    const dec = windowOf(december(28));
    const state = member({
      tier: "silver",
      qualifying: 0,
      qualifyingWindow: windowOf(january(3)),
      windowsByTime: new Map([[Date.parse(december(28)), { ...dec, qualifying: 450 }]]),
    });
    const late = planSale(saleMessage("S-DEC", meal(100), december(28)), state, yearly);
    const now = planSale(saleMessage("S-JAN", meal(10), january(3)), state, yearly);
    expect(late.movements.map((m) => [m.kind, m.amount])).toEqual([
      ["earn", 100],
      ["bonus", 100],
    ]);
    expect(now.movements.map((m) => [m.kind, m.amount])).toEqual([["earn", 10]]);
    expect(state).toMatchObject({ tier: "gold", qualifying: 10 });
    expect(state.windowsByTime!.get(Date.parse(december(28)))!.qualifying).toBe(550);
  });
});
