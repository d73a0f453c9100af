import type { SegmentWindow } from "@regulars/contracts";

/** The windows the select names, then "the last N days" for any other length the contract allows. */
export const windowPresets = ["7d", "30d", "90d", "365d", "lifetime"] as const;
export type WindowPreset = (typeof windowPresets)[number];
export type WindowChoice = WindowPreset | "custom";
export const windowChoices: readonly WindowChoice[] = [...windowPresets, "custom"];

/**
 * The contract's longest `lastDays` (SegmentWindow in @regulars/contracts). Copied, not imported: the schema
 * would bring zod into the page; a test holds the two together.
 */
export const maxWindowDays = 3_660;

/** The days a switch to a custom window starts from: the preset's own length, so nothing moves until edited. */
const presetDays: Record<WindowPreset, number> = { "7d": 7, "30d": 30, "90d": 90, "365d": 365, lifetime: 30 };

/** What the select and the days box show for a saved window (a preset, or `{ lastDays: N }` from the API). */
export function windowChoice(value: SegmentWindow): { choice: WindowChoice; days: number } {
  if (typeof value === "object") return { choice: "custom", days: value.lastDays };
  return { choice: value, days: presetDays[value] };
}

/**
 * The window to store for what is chosen. The days pass through as typed (NaN or out of range included) so the
 * server names the field rather than the form quietly changing the number.
 */
export function windowValue(choice: WindowChoice, days: number): SegmentWindow {
  return choice === "custom" ? { lastDays: days } : choice;
}
