import { describe, expect, it } from "vitest";
import { daypartOf, daypartOfHour, localHour } from "../src/index.ts";

describe("daypart", () => {
  it.each([
    [4, "night"],
    [5, "morning"],
    [10, "morning"],
    [11, "lunch"],
    [14, "lunch"],
    [15, "afternoon"],
    [17, "afternoon"],
    [18, "evening"],
    [21, "evening"],
    [22, "night"],
    [23, "night"],
    [0, "night"],
  ])("hour %i is %s", (hour, daypart) => {
    expect(daypartOfHour(hour)).toBe(daypart);
  });

  it("takes the hour in the tenant's time zone, not UTC", () => {
    const instant = new Date("2026-01-15T10:30:00Z");
    expect(localHour(instant, "UTC")).toBe(10);
    expect(daypartOf(instant, "UTC")).toBe("morning");
    expect(daypartOf(instant, "Europe/Warsaw")).toBe("lunch"); // 11:30 in winter
    expect(daypartOf(instant, "America/New_York")).toBe("morning"); // 05:30
    expect(daypartOf(new Date("2026-01-15T09:30:00Z"), "America/New_York")).toBe("night"); // 04:30
  });

  it("follows daylight saving time: 10:30 UTC is 12:30 in Warsaw in summer", () => {
    expect(localHour(new Date("2026-07-15T10:30:00Z"), "Europe/Warsaw")).toBe(12);
  });

  it("reads midnight as hour 0, never 24", () => {
    expect(localHour(new Date("2026-01-15T23:00:00Z"), "Europe/Warsaw")).toBe(0);
  });

  it("refuses an unknown zone", () => {
    expect(() => daypartOf(new Date(), "Mars/Olympus")).toThrow(RangeError);
  });
});
