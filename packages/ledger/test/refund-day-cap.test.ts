import { localDate } from "@regulars/rules";
import { describe, expect, it } from "vitest";
import { planRefund, planSale } from "../src/index.ts";
import { base, member, NOON, NOON_DAY, programme, recordOf, refundMessage, saleMessage, WARSAW } from "./fixtures.ts";

// 100 points a day at most, 1 point per 1.00: one meal of 100.00 uses the whole day.
const p = programme({ rules: [base], caps: { perDay: 100 } });
const meal = [{ sku: "meal", unitPrice: 10_000 }];
const hoursAfterNoon = (hours: number) => new Date(Date.parse(NOON) + hours * 3_600_000).toISOString();
const dayBeforeNoon = hoursAfterNoon(-24);

describe("planRefund gives back the room its sale used under the per-day cap", () => {
  it("a sale refunded in full the same day leaves the day's cap to the next sale", () => {
    const state = member();
    const first = saleMessage("S-1", meal);
    const sold = planSale(first, state, p);
    expect(sold.points).toBe(100);

    const refund = planRefund(
      refundMessage("R-1", "S-1", meal, hoursAfterNoon(1)),
      recordOf(first, sold),
      state,
      p.config,
      p.timezone,
    );
    expect(refund).toMatchObject({ points: -100 });
    expect(state.earnedByDay.get(NOON_DAY)).toBe(0);

    const again = planSale(saleMessage("S-2", meal, hoursAfterNoon(2)), state, p);
    expect(again.points).toBe(100);
    expect(again.explanation?.capped).toBeNull();
  });

  it("a refund today of yesterday's sale frees yesterday's room, not today's", () => {
    const state = member();
    const yesterday = saleMessage("S-Y", meal, dayBeforeNoon);
    const earnedYesterday = planSale(yesterday, state, p);
    expect(planSale(saleMessage("S-T", meal), state, p).points).toBe(100);

    planRefund(
      refundMessage("R-Y", "S-Y", meal, hoursAfterNoon(1)),
      recordOf(yesterday, earnedYesterday),
      state,
      p.config,
      p.timezone,
    );

    expect(Object.fromEntries(state.earnedByDay)).toEqual({ [localDate(dayBeforeNoon, WARSAW)]: 0, [NOON_DAY]: 100 });
    const later = planSale(saleMessage("S-T2", meal, hoursAfterNoon(2)), state, p);
    expect(later.points).toBe(0);
    expect(later.explanation?.capped).toEqual({ by: "per_day", uncapped: 100 });
  });

  it("a partial refund gives back the share it reversed", () => {
    const state = member();
    const lines = [
      { sku: "burger", unitPrice: 6_000 },
      { sku: "fries", unitPrice: 4_000 },
    ];
    const sale = saleMessage("S-P", lines);
    const sold = planSale(sale, state, p);
    const fries = [{ sku: "fries", unitPrice: 4_000, lineNo: 1 }];
    planRefund(
      refundMessage("R-P", "S-P", fries, hoursAfterNoon(1)),
      recordOf(sale, sold),
      state,
      p.config,
      p.timezone,
    );
    expect(state.earnedByDay.get(NOON_DAY)).toBe(60);
    expect(planSale(saleMessage("S-P2", meal, hoursAfterNoon(2)), state, p).points).toBe(40);
  });
});
