import { describe, expect, it } from "vitest";
import { hoursOf, maxWindowIn, naturalUnit, windowIn } from "../src/ui/cap-window.ts";

describe("a frequency cap's window in days or hours", () => {
  it("shows a window of whole days in days, so a week reads 7 days, not 168 hours", () => {
    expect(naturalUnit(168)).toBe("days");
    expect(windowIn(168, "days")).toBe(7);
    expect(naturalUnit(24)).toBe("days");
    expect(windowIn(24, "days")).toBe(1);
  });

  it("shows any other window in hours", () => {
    expect(naturalUnit(12)).toBe("hours");
    expect(windowIn(12, "hours")).toBe(12);
    expect(naturalUnit(36)).toBe("hours");
    expect(windowIn(36, "hours")).toBe(36);
  });

  it("stores what is typed as hours", () => {
    expect(hoursOf(7, "days")).toBe(168);
    expect(hoursOf(12, "hours")).toBe(12);
    for (const hours of [1, 12, 24, 36, 168, 24 * 365]) {
      expect(hoursOf(windowIn(hours, naturalUnit(hours)), naturalUnit(hours))).toBe(hours);
    }
  });

  it("keeps an empty box unreadable both ways, so the server names the field", () => {
    expect(naturalUnit(Number.NaN)).toBe("hours");
    expect(windowIn(Number.NaN, "days")).toBeNaN();
    expect(hoursOf(Number.NaN, "days")).toBeNaN();
  });

  it("takes at most a year, the schema's longest window, in either unit", () => {
    expect(maxWindowIn("days")).toBe(365);
    expect(maxWindowIn("hours")).toBe(8760);
  });
});
