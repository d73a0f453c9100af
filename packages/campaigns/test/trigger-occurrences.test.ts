import type { CampaignAudience } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { alwaysOnStartPass, announcedExpiryOf, expiringOccurrence, expiryWarningTooLate } from "../src/index.ts";

const now = new Date();
const at = (ms: number) => new Date(now.getTime() + ms);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const segment = (segmentId: string): CampaignAudience => ({ kind: "segment", segmentId });

describe("alwaysOnStartPass", () => {
  const startedAt = at(-DAY);
  const original = {
    occurrence: `always_on:start:${startedAt.toISOString()}`,
    since: startedAt,
    audienceChanged: false,
  };

  it("keeps the name the start pass always had for the audience the campaign started with", () => {
    expect(alwaysOnStartPass(startedAt, [])).toEqual(original);
    // The first version is the starting audience even when it was saved after the recorded start.
    expect(alwaysOnStartPass(startedAt, [{ version: 1, savedAt: at(0), audience: segment("seg_a") }])).toEqual(
      original,
    );
    // Saved before the start, or an edit that kept the audience: still the starting one.
    const kept = [
      { version: 1, savedAt: at(-2 * DAY), audience: segment("seg_a") },
      { version: 2, savedAt: at(-2 * DAY), audience: segment("seg_b") },
      { version: 3, savedAt: at(0), audience: segment("seg_b") },
    ];
    expect(alwaysOnStartPass(startedAt, kept)).toEqual(original);
  });

  it("names a pass by the version that set an audience changed after the start, counted from its save", () => {
    const changed = [
      { version: 3, savedAt: at(2_000), audience: segment("seg_b") },
      { version: 1, savedAt: at(-2 * DAY), audience: segment("seg_a") },
      { version: 2, savedAt: at(1_000), audience: segment("seg_b") },
    ];
    expect(alwaysOnStartPass(startedAt, changed)).toEqual({
      occurrence: `${original.occurrence}:v2`,
      since: at(1_000),
      audienceChanged: true,
    });
    // Back to the first audience: whoever joined it meanwhile was missed, so it is a change too.
    const back = [...changed, { version: 4, savedAt: at(3_000), audience: segment("seg_a") }];
    expect(alwaysOnStartPass(startedAt, back).occurrence).toBe(`${original.occurrence}:v4`);
  });
});

describe("announcedExpiryOf", () => {
  it("reads the expiry back from a points-expiring occurrence and nothing from others", () => {
    const expiresAt = at(14 * DAY).toISOString();
    expect(announcedExpiryOf(expiringOccurrence(expiresAt))).toEqual(new Date(expiresAt));
    // A domain_event on points.expiring is named by the notice's id, which names the customer, not an instant.
    expect(announcedExpiryOf("expiring:cus_01J:2026-01-01")).toBeNull();
    expect(announcedExpiryOf("expiring:inactive:cus_01J:2026-01-01T00:00:00.000Z")).toBeNull();
    expect(announcedExpiryOf(`broadcast:${expiresAt}`)).toBeNull();
  });
});

describe("expiryWarningTooLate", () => {
  const expiresAt = at(14 * DAY);
  const step = (plannedAt: Date, waited = false) => ({ plannedAt, waited });

  it("lets a warning act before the expiry, and never after it", () => {
    const reminder = step(at(11 * DAY));
    expect(expiryWarningTooLate(reminder, expiresAt, at(11 * DAY))).toBe(false);
    expect(expiryWarningTooLate(reminder, expiresAt, expiresAt)).toBe(true);
    // Planned for before the date, run after it (a pause over the date, a backlog): still a warning.
    expect(expiryWarningTooLate(step(at(11 * DAY), true), expiresAt, at(16 * DAY))).toBe(true);
  });

  it("counts a `daysBefore: 0` step as a warning, at the expiry instant or a local hour after it", () => {
    expect(expiryWarningTooLate(step(expiresAt), expiresAt, at(14 * DAY + 1_000))).toBe(true);
    expect(expiryWarningTooLate(step(at(14 * DAY + 18 * HOUR)), expiresAt, at(14 * DAY + 18 * HOUR))).toBe(true);
  });

  it("lets a follow-up a wait placed after the expiry act on it", () => {
    expect(expiryWarningTooLate(step(at(19 * DAY), true), expiresAt, at(19 * DAY))).toBe(false);
  });
});
