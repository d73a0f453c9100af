import { describe, expect, it } from "vitest";
import { fromZonedInput, toZonedInput, zoneOffsetMs } from "../src/ui/zoned-time.ts";

// Fixed instants only: these convert and compare dates with each other, never with the clock.
const hour = 3_600_000;

describe("zoneOffsetMs", () => {
  it("knows a zone's offset in winter and in summer, and zones half an hour off", () => {
    expect(zoneOffsetMs("Europe/Warsaw", Date.parse("2025-01-15T12:00:00Z"))).toBe(hour);
    expect(zoneOffsetMs("Europe/Warsaw", Date.parse("2025-07-15T12:00:00Z"))).toBe(2 * hour);
    expect(zoneOffsetMs("America/New_York", Date.parse("2025-01-15T12:00:00Z"))).toBe(-5 * hour);
    expect(zoneOffsetMs("Asia/Kolkata", Date.parse("2025-01-15T12:00:00Z"))).toBe(5.5 * hour);
    expect(zoneOffsetMs("UTC", Date.parse("2025-01-15T12:00:00.456Z"))).toBe(0);
  });
});

describe("datetime-local in the tenant's zone", () => {
  it("reads the wall clock of the zone, not of the browser", () => {
    expect(fromZonedInput("2025-01-15T09:00", "Europe/Warsaw")).toBe("2025-01-15T08:00:00.000Z");
    expect(fromZonedInput("2025-07-15T09:00", "Europe/Warsaw")).toBe("2025-07-15T07:00:00.000Z");
    expect(fromZonedInput("2025-07-15T09:00", "America/New_York")).toBe("2025-07-15T13:00:00.000Z");
    expect(fromZonedInput("2025-07-15T09:00", "Asia/Kolkata")).toBe("2025-07-15T03:30:00.000Z");
    expect(toZonedInput("2025-01-15T08:00:00.000Z", "Europe/Warsaw")).toBe("2025-01-15T09:00");
    expect(toZonedInput("2025-07-15T03:30:00.000Z", "Asia/Kolkata")).toBe("2025-07-15T09:00");
  });

  it("keeps seconds and milliseconds an instant has, so a form saved untouched sends back what it read", () => {
    for (const iso of ["2025-03-31T21:59:59.000Z", "2025-03-31T21:59:59.999Z", "2025-03-31T21:59:00.120Z"]) {
      expect(fromZonedInput(toZonedInput(iso, "Europe/Warsaw"), "Europe/Warsaw")).toBe(iso);
    }
    expect(toZonedInput("2025-03-31T21:59:59.000Z", "Europe/Warsaw")).toBe("2025-03-31T23:59:59");
    expect(toZonedInput("2025-03-31T21:59:59.999Z", "Europe/Warsaw")).toBe("2025-03-31T23:59:59.999");
    expect(fromZonedInput("2025-01-15T09:00:30.5", "Europe/Warsaw")).toBe("2025-01-15T08:00:30.500Z");
  });

  it("crosses the date line and the year end with the zone", () => {
    expect(toZonedInput("2024-12-31T23:30:00.000Z", "Europe/Warsaw")).toBe("2025-01-01T00:30");
    expect(fromZonedInput("2025-01-01T00:30", "Europe/Warsaw")).toBe("2024-12-31T23:30:00.000Z");
    expect(toZonedInput("2025-01-01T05:00:00.000Z", "America/Los_Angeles")).toBe("2024-12-31T21:00");
  });

  it("takes the first of a time the clocks go back over, and shows both as the zone does", () => {
    // Warsaw, 27 October 2024: 03:00 summer time becomes 02:00 winter time; 02:30 happens twice.
    expect(fromZonedInput("2024-10-27T02:30", "Europe/Warsaw")).toBe("2024-10-27T00:30:00.000Z");
    expect(toZonedInput("2024-10-27T00:30:00.000Z", "Europe/Warsaw")).toBe("2024-10-27T02:30");
    expect(toZonedInput("2024-10-27T01:30:00.000Z", "Europe/Warsaw")).toBe("2024-10-27T02:30");
    expect(fromZonedInput("2024-10-27T03:30", "Europe/Warsaw")).toBe("2024-10-27T02:30:00.000Z");
  });

  it("moves a time the clocks skip on by the gap", () => {
    // Warsaw, 31 March 2024: 02:00 winter time becomes 03:00 summer time; 02:30 does not happen.
    expect(fromZonedInput("2024-03-31T02:30", "Europe/Warsaw")).toBe("2024-03-31T01:30:00.000Z");
    expect(toZonedInput("2024-03-31T01:30:00.000Z", "Europe/Warsaw")).toBe("2024-03-31T03:30");
    expect(fromZonedInput("2024-03-31T01:59", "Europe/Warsaw")).toBe("2024-03-31T00:59:00.000Z");
    expect(fromZonedInput("2024-03-31T03:00", "Europe/Warsaw")).toBe("2024-03-31T01:00:00.000Z");
  });

  it("goes there and back for every hour of a year with two changes", () => {
    const start = Date.parse("2025-01-01T00:00:00Z");
    for (let t = start; t < start + 366 * 24 * hour; t += hour) {
      const iso = new Date(t).toISOString();
      for (const zone of ["Europe/Warsaw", "Australia/Sydney"]) {
        const local = toZonedInput(iso, zone);
        const back = fromZonedInput(local, zone)!;
        // The second of a repeated hour comes back as the first, an hour earlier; nothing else moves.
        expect([0, hour], `${zone} ${iso}`).toContain(t - Date.parse(back));
        expect(toZonedInput(back, zone)).toBe(local);
      }
    }
  });

  it("leaves an empty field unset, and sends what is not a date as typed for the server to refuse", () => {
    expect(fromZonedInput("", "Europe/Warsaw")).toBeUndefined();
    expect(toZonedInput(undefined, "Europe/Warsaw")).toBe("");
    expect(fromZonedInput("tomorrow", "Europe/Warsaw")).toBe("tomorrow");
  });
});
