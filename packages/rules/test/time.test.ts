import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addMonthsLocal,
  isBirthday,
  isoWeekday,
  localDate,
  startOfLocalDay,
  startOfNextLocalDay,
} from "../src/index.ts";
import { WARSAW } from "./fixtures.ts";

describe("local calendar in the tenant's zone", () => {
  it("localDate and isoWeekday read the zone, not UTC", () => {
    expect(localDate("2025-03-03T23:30:00Z", WARSAW)).toBe("2025-03-04");
    expect(isoWeekday("2025-03-03T23:30:00Z", WARSAW)).toBe(2);
    expect(isoWeekday("2025-03-03T23:30:00Z", "UTC")).toBe(1);
    expect(isoWeekday("2025-03-09T12:00:00Z", WARSAW)).toBe(7);
    expect(localDate("2025-03-04T10:00:00Z", "Pacific/Auckland")).toBe("2025-03-04");
    expect(localDate("2025-03-04T11:00:00Z", "Pacific/Auckland")).toBe("2025-03-05");
  });

  it("an unknown zone or a malformed instant throws instead of guessing", () => {
    expect(() => localDate("2025-03-04T10:00:00Z", "Mars/Olympus")).toThrow(RangeError);
    expect(() => localDate("yesterday", WARSAW)).toThrow(RangeError);
  });

  it("property: localDate and isoWeekday agree with Intl's own date and weekday in any zone", () => {
    const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.constantFrom(
          "Europe/Warsaw",
          "America/Los_Angeles",
          "Asia/Kathmandu",
          "Australia/Lord_Howe",
          "Pacific/Chatham",
          "UTC",
        ),
        (at, tz) => {
          expect(localDate(at, tz)).toBe(
            new Intl.DateTimeFormat("en-CA", {
              timeZone: tz,
              year: "numeric",
              month: "2-digit",
              day: "2-digit",
            }).format(at),
          );
          expect(isoWeekday(at, tz)).toBe(
            days.indexOf(new Intl.DateTimeFormat("en-US", { timeZone: tz, weekday: "short" }).format(at)) + 1,
          );
        },
      ),
      { numRuns: 500 },
    );
    // Five-digit years miss the fast path and take the formatToParts one.
    expect(localDate("+010000-01-01T12:00:00Z", WARSAW)).toBe("10000-01-01");
  });

  it("isBirthday: Feb 29 is celebrated on Feb 28 in common years", () => {
    expect(isBirthday("2000-02-29", "2021-02-28T10:00:00+01:00", WARSAW)).toBe(true);
    expect(isBirthday("2000-02-29", "2021-03-01T10:00:00+01:00", WARSAW)).toBe(false);
    expect(isBirthday("2000-02-29", "2020-02-29T10:00:00+01:00", WARSAW)).toBe(true);
    expect(isBirthday("2000-02-28", "2020-02-29T10:00:00+01:00", WARSAW)).toBe(false);
    expect(isBirthday("not-a-date", "2020-02-29T10:00:00+01:00", WARSAW)).toBe(false);
  });

  it("startOfLocalDay and the next day follow DST (23 h and 25 h days)", () => {
    expect(startOfLocalDay("2025-03-30T12:00:00+02:00", WARSAW).toISOString()).toBe("2025-03-29T23:00:00.000Z");
    expect(startOfNextLocalDay("2025-03-30T12:00:00+02:00", WARSAW).toISOString()).toBe("2025-03-30T22:00:00.000Z");
    expect(startOfNextLocalDay("2025-10-26T12:00:00+01:00", WARSAW).toISOString()).toBe("2025-10-26T23:00:00.000Z");
    // Santiago skips midnight when summer time starts: the day begins at 01:00.
    expect(startOfLocalDay("2025-09-07T12:00:00-03:00", "America/Santiago").toISOString()).toBe(
      "2025-09-07T04:00:00.000Z",
    );
  });
});

describe("addMonthsLocal", () => {
  it("keeps the local wall time across a DST change", () => {
    expect(addMonthsLocal("2025-01-15T10:00:00+01:00", 6, WARSAW).toISOString()).toBe("2025-07-15T08:00:00.000Z");
    expect(addMonthsLocal("2025-07-15T10:00:00+02:00", 6, WARSAW).toISOString()).toBe("2026-01-15T09:00:00.000Z");
  });

  it("clamps to the month's end", () => {
    expect(localDate(addMonthsLocal("2025-01-31T12:00:00+01:00", 1, WARSAW), WARSAW)).toBe("2025-02-28");
    expect(localDate(addMonthsLocal("2019-01-31T12:00:00+01:00", 13, WARSAW), WARSAW)).toBe("2020-02-29");
    expect(localDate(addMonthsLocal("2020-02-29T12:00:00+01:00", -12, WARSAW), WARSAW)).toBe("2019-02-28");
  });

  it("a wall time skipped by spring-forward moves forward by the gap; a repeated one takes the first", () => {
    // 2026-03-29 02:30 does not exist in Warsaw (02:00 → 03:00): 03:30 CEST.
    expect(addMonthsLocal("2025-03-29T02:30:00+01:00", 12, WARSAW).toISOString()).toBe("2026-03-29T01:30:00.000Z");
    // 2025-10-26 02:30 happens twice: the first (CEST).
    expect(addMonthsLocal("2024-10-26T02:30:00+02:00", 12, WARSAW).toISOString()).toBe("2025-10-26T00:30:00.000Z");
  });

  it("property: the local date moves by whole months (clamped) and keeps the time of day, unless a DST gap pushes it 1 h on", () => {
    const zones = ["Europe/Warsaw", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"];
    const wall = (d: Date, tz: string) => {
      const [y, m, day] = localDate(d, tz).split("-").map(Number) as [number, number, number];
      const [h, min] = new Intl.DateTimeFormat("en-GB", {
        timeZone: tz,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .format(d)
        .split(":")
        .map(Number) as [number, number];
      return { y, m, day, minutes: h * 60 + min };
    };
    fc.assert(
      fc.property(
        fc.date({
          min: new Date("2020-01-01T00:00:00Z"),
          max: new Date(Date.now() + 10 * 365 * 86_400_000),
          noInvalidDate: true,
        }),
        fc.integer({ min: -24, max: 120 }),
        fc.constantFrom(...zones),
        (at, months, tz) => {
          const before = wall(at, tz);
          const after = wall(addMonthsLocal(at, months, tz), tz);
          expect(after.y * 12 + after.m - (before.y * 12 + before.m)).toBe(months);
          expect(after.day).toBe(Math.min(before.day, new Date(Date.UTC(after.y, after.m, 0)).getUTCDate()));
          expect([0, 60]).toContain(after.minutes - before.minutes);
        },
      ),
      { numRuns: 500 },
    );
  });
});
