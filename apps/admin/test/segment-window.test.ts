import { SegmentWindow } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { maxWindowDays, windowChoice, windowPresets, windowValue } from "../src/pages/segments/window.ts";

describe("a segment condition's window in the builder", () => {
  it("shows a window of N days saved through the API as the last N days, not as all time", () => {
    expect(windowChoice({ lastDays: 14 })).toEqual({ choice: "custom", days: 14 });
    expect(windowValue("custom", 14)).toEqual({ lastDays: 14 });
  });

  it("shows each preset as itself and stores it unchanged", () => {
    for (const preset of windowPresets) {
      expect(windowChoice(preset).choice).toBe(preset);
      expect(windowValue(preset, 14)).toBe(preset);
    }
  });

  it("starts a switch from a preset to a number of days at the preset's own length", () => {
    const { days } = windowChoice("90d");
    expect(windowValue("custom", days)).toEqual({ lastDays: 90 });
  });

  it("allows in the days box exactly the lengths the contract takes", () => {
    expect(SegmentWindow.safeParse(windowValue("custom", 1)).success).toBe(true);
    expect(SegmentWindow.safeParse(windowValue("custom", maxWindowDays)).success).toBe(true);
    expect(SegmentWindow.safeParse(windowValue("custom", maxWindowDays + 1)).success).toBe(false);
  });
});
