import { describe, expect, it } from "vitest";

// Fixed dates in the past: these are pure conversions, and a past year's time-zone rules no longer change.
import { effectiveFromIn, tenantLocalTime } from "../src/effective-from.ts";

const newYork = "America/New_York";

describe("effectiveFromIn", () => {
  it("reads a bare date as midnight starting that day in the tenant's zone, not in UTC", () => {
    expect(effectiveFromIn("2025-01-01", newYork)?.toISOString()).toBe("2025-01-01T05:00:00.000Z");
    expect(effectiveFromIn("2025-07-01", newYork)?.toISOString()).toBe("2025-07-01T04:00:00.000Z");
    expect(effectiveFromIn("2025-01-01", "Asia/Tokyo")?.toISOString()).toBe("2024-12-31T15:00:00.000Z");
  });

  it("reads a date and time without an offset as the tenant's wall clock", () => {
    expect(effectiveFromIn("2025-01-01T00:00", newYork)?.toISOString()).toBe("2025-01-01T05:00:00.000Z");
    expect(effectiveFromIn("2025-03-15 09:30:15", newYork)?.toISOString()).toBe("2025-03-15T13:30:15.000Z");
    // 02:30 does not happen on the spring-forward night: it is moved on by the gap.
    expect(effectiveFromIn("2025-03-09T02:30", newYork)?.toISOString()).toBe("2025-03-09T07:30:00.000Z");
  });

  it("takes a timestamp with an offset as it says, whatever the tenant's zone", () => {
    expect(effectiveFromIn("2025-01-01T00:00:00Z", newYork)?.toISOString()).toBe("2025-01-01T00:00:00.000Z");
    expect(effectiveFromIn("2025-01-01T09:00:00+01:00", newYork)?.toISOString()).toBe("2025-01-01T08:00:00.000Z");
  });

  it("refuses anything else, including days and times that do not exist", () => {
    for (const typed of ["tomorrow", "", "2025-02-30", "2025-13-01", "2025-01-01T24:00", "01/01/2025", "2025-1-1"])
      expect(effectiveFromIn(typed, newYork), typed).toBeNull();
  });
});

describe("tenantLocalTime", () => {
  it("shows an instant as the tenant's wall clock, naming the zone", () => {
    expect(tenantLocalTime(new Date("2025-01-01T05:00:00.000Z"), newYork)).toBe("2025-01-01 00:00 America/New_York");
  });
});
