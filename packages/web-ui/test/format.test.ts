import { describe, expect, it } from "vitest";
import { formatCalendarDate, formatDate } from "../src/format.ts";

// Fixed days only: nothing here depends on today's date or on the machine's zone.
describe("formatCalendarDate", () => {
  it("shows a calendar day as that day, where formatDate shows the day before west of Greenwich", () => {
    // A birthday of 12 May, read as an instant and shown in New York: UTC midnight is the evening before there.
    expect(formatDate("1990-05-12", "America/New_York", "en-GB")).toBe("11 May 1990");
    expect(formatCalendarDate("1990-05-12", "en-GB")).toBe("12 May 1990");
    expect(formatCalendarDate("2025-01-01", "en-GB")).toBe("1 Jan 2025");
    expect(formatCalendarDate("2024-12-31", "pl-PL")).toBe("31 gru 2024");
  });
});
