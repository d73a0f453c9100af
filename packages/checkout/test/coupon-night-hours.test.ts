import type { Basket } from "@regulars/contracts";
import { instantOfWallClock } from "@regulars/rules";
import { describe, expect, it } from "vitest";
import { couponRefusal, type PricingContext } from "../src/index.ts";
import { coupon, line, member, WARSAW } from "./fixtures.ts";

const basket: Basket = { locationId: "warsaw-centrum", channel: "kiosk", currency: "EUR", lines: [line("A", 1000)] };

const ctx = (at: Date, timezone = WARSAW): PricingContext => ({
  basket,
  subtotal: 1000,
  at,
  timezone,
  customer: member(),
});

const night = (weekdays: number[], from: string, to: string) =>
  coupon("LATE", { benefit: { kind: "percent_off", percent: 20 }, conditions: { weekdays, hours: { from, to } } });

const refusal = (c: ReturnType<typeof night>, at: Date, timezone = WARSAW) => couponRefusal(c, ctx(at, timezone));
const refusedWith = (c: ReturnType<typeof night>, at: Date, timezone = WARSAW) =>
  refusal(c, at, timezone)?.code ?? null;

const FRIDAY = 5;

/**
 * A Warsaw wall time in the week of Friday 2025-06-13: a fixed week far from either daylight-saving change, so every
 * wall time asked for exists exactly once. A week picked from today would, in the week before spring forward, turn
 * Sunday 02:30 into 03:30. Past dates are fine: the clock is injected.
 */
function warsawAt(isoWeekday: number, hhmm: string, daysLater = 0): Date {
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  const day = 13 + ((isoWeekday - FRIDAY + 7) % 7) + daysLater;
  return new Date(instantOfWallClock({ year: 2025, month: 6, day, hour, minute, second: 0, millisecond: 0 }, WARSAW));
}

const friday = (hhmm: string) => warsawAt(FRIDAY, hhmm);
const saturday = (hhmm: string) => warsawAt(FRIDAY, hhmm, 1);

describe("hours past midnight belong to the day the night began", () => {
  const fridayNight = night([FRIDAY], "22:00", "02:00");

  it("applies on Friday evening and in the small hours of Saturday", () => {
    expect(refusedWith(fridayNight, friday("22:30"))).toBeNull();
    expect(refusedWith(fridayNight, saturday("00:00"))).toBeNull();
    expect(refusedWith(fridayNight, saturday("01:30"))).toBeNull();
    expect(refusedWith(fridayNight, saturday("01:59"))).toBeNull();
  });

  it("refuses the small hours of Friday as Thursday night, naming the night it is for", () => {
    expect(refusedWith(fridayNight, friday("00:30"))).toBe("wrong_day");
    expect(refusal(fridayNight, friday("00:30"))?.message).toBe(
      "This coupon is valid only from 22:00 on Fridays until 02:00 the next day.",
    );
  });

  it("refuses Saturday evening as the wrong day, and Friday outside the hours as the wrong time", () => {
    expect(refusedWith(fridayNight, saturday("22:30"))).toBe("wrong_day");
    expect(refusedWith(fridayNight, friday("03:00"))).toBe("wrong_time");
    expect(refusedWith(fridayNight, friday("21:59"))).toBe("wrong_time");
    expect(refusal(fridayNight, friday("03:00"))?.message).toBe("This coupon is valid only from 22:00 to 02:00.");
    expect(refusedWith(fridayNight, saturday("02:00"))).not.toBeNull();
  });

  it("reads the night in the checkout's zone", () => {
    const at = saturday("01:30");
    expect(refusedWith(fridayNight, at)).toBeNull();
    // Friday evening in New York, before the night begins there.
    expect(refusedWith(fridayNight, at, "America/New_York")).toBe("wrong_time");
  });

  it("wraps the week: Sunday night runs into Monday", () => {
    const sundayNight = night([7], "21:00", "03:00");
    expect(refusedWith(sundayNight, warsawAt(1, "02:30"))).toBeNull();
    expect(refusedWith(sundayNight, warsawAt(7, "02:30"))).toBe("wrong_day");
    // 01:30 exists every night of the year, so this holds whichever week it is read in.
    expect(refusedWith(sundayNight, warsawAt(7, "01:30"))).toBe("wrong_day");
    expect(refusedWith(sundayNight, warsawAt(1, "01:30"))).toBeNull();
  });

  it("leaves hours within one day on the calendar day, with the plain message", () => {
    const fridayLunch = night([FRIDAY], "11:00", "15:00");
    expect(refusedWith(fridayLunch, friday("12:00"))).toBeNull();
    expect(refusal(fridayLunch, saturday("12:00"))?.message).toBe("This coupon is valid only on Fridays.");
    const allDay = night([FRIDAY], "00:00", "00:00");
    expect(refusedWith(allDay, friday("00:30"))).toBeNull();
    expect(refusedWith(allDay, saturday("00:30"))).toBe("wrong_day");
  });
});

describe("a night across a daylight-saving change is one night (fixed instants: the clock is injected)", () => {
  it("spring forward: Saturday 2025-03-29 night in Warsaw, clocks jump 02:00 → 03:00", () => {
    const saturdayNight = night([6], "22:00", "04:00");
    expect(refusedWith(saturdayNight, new Date("2025-03-30T00:59:00Z"))).toBeNull(); // 01:59 CET
    expect(refusedWith(saturdayNight, new Date("2025-03-30T01:30:00Z"))).toBeNull(); // 03:30 CEST
    expect(refusedWith(saturdayNight, new Date("2025-03-30T02:00:00Z"))).toBe("wrong_day"); // Sunday 04:00 CEST
  });

  it("fall back: Saturday 2025-10-25 night in Warsaw, 02:00-03:00 happens twice", () => {
    const saturdayNight = night([6], "22:00", "02:30");
    expect(refusedWith(saturdayNight, new Date("2025-10-26T00:15:00Z"))).toBeNull(); // 02:15 CEST
    expect(refusedWith(saturdayNight, new Date("2025-10-26T01:15:00Z"))).toBeNull(); // 02:15 CET, the second pass
    expect(refusedWith(saturdayNight, new Date("2025-10-26T01:30:00Z"))).toBe("wrong_day"); // Sunday 02:30 CET
  });
});
