import { instantOfWallClock } from "@regulars/rules";
import { describe, expect, it } from "vitest";
import { usageDayOf } from "../src/index.ts";
import { WARSAW } from "./fixtures.ts";

const LONDON = "Europe/London";
const warsaw = { timezone: WARSAW };
const fridayNight = { from: "22:00", to: "02:00" };

/** A wall time in `zone`. Fixed past dates are fine: the clock is injected, and none lies near a clock change. */
const wall = (date: string, hhmm: string, zone = WARSAW): Date => {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = hhmm.split(":").map(Number) as [number, number];
  return new Date(instantOfWallClock({ year, month, day, hour, minute, second: 0, millisecond: 0 }, zone));
};

describe("the day a coupon use counts for", () => {
  it("counts a night past midnight for the date it began, before and after midnight alike", () => {
    expect(usageDayOf(fridayNight, wall("2025-06-13", "23:00"), warsaw)).toBe("2025-06-13");
    expect(usageDayOf(fridayNight, wall("2025-06-14", "00:00"), warsaw)).toBe("2025-06-13");
    expect(usageDayOf(fridayNight, wall("2025-06-14", "01:59"), warsaw)).toBe("2025-06-13");
    expect(usageDayOf(fridayNight, wall("2025-06-14", "02:00"), warsaw)).toBe("2025-06-14");
    expect(usageDayOf(fridayNight, wall("2025-06-13", "00:30"), warsaw)).toBe("2025-06-12");
  });

  it("steps back across a month and a year", () => {
    expect(usageDayOf(fridayNight, wall("2025-07-01", "01:00"), warsaw)).toBe("2025-06-30");
    expect(usageDayOf(fridayNight, wall("2025-01-01", "01:00"), warsaw)).toBe("2024-12-31");
  });

  it("leaves coupons without hours past midnight on the tenant's calendar day", () => {
    expect(usageDayOf(undefined, wall("2025-06-14", "01:00"), warsaw)).toBe("2025-06-14");
    expect(usageDayOf({ from: "00:00", to: "03:00" }, wall("2025-06-14", "01:00"), warsaw)).toBe("2025-06-14");
    expect(usageDayOf({ from: "00:00", to: "00:00" }, wall("2025-06-14", "01:00"), warsaw)).toBe("2025-06-14");
    // No hours to read on the location's clock: the day is the tenant's, wherever the till is.
    const at = wall("2025-06-14", "00:30");
    expect(usageDayOf(undefined, at, { timezone: WARSAW, localZone: LONDON })).toBe("2025-06-14");
  });

  it("reads the night on the location's clock, where the coupon's hours are judged", () => {
    // 23:30 in London is 00:30 in Warsaw: still Friday night at the till, whatever the tenant's calendar says.
    const at = wall("2025-06-13", "23:30", LONDON);
    expect(usageDayOf(fridayNight, at, { timezone: WARSAW, localZone: LONDON })).toBe("2025-06-13");
    const late = wall("2025-06-14", "01:30", LONDON);
    expect(usageDayOf(fridayNight, late, { timezone: WARSAW, localZone: LONDON })).toBe("2025-06-13");
  });

  it("keeps a night across a daylight-saving change one night", () => {
    const saturdayNight = { from: "22:00", to: "04:00" };
    expect(usageDayOf(saturdayNight, new Date("2025-03-30T00:59:00Z"), warsaw)).toBe("2025-03-29"); // 01:59 CET
    expect(usageDayOf(saturdayNight, new Date("2025-03-30T01:30:00Z"), warsaw)).toBe("2025-03-29"); // 03:30 CEST
    expect(usageDayOf({ from: "22:00", to: "02:30" }, new Date("2025-10-26T01:15:00Z"), warsaw)).toBe("2025-10-25");
  });
});
