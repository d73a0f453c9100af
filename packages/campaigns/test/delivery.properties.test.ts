import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inQuietHours, nextBroadcastRuns, scheduledSendAt } from "../src/index.ts";
import { wallClockOf } from "./wall-clock.ts";

const zones = ["Europe/Warsaw", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"];
// Instants over 2024-2025, both DST transitions of every zone above included.
const instant = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2025, 11, 31) }).map((ms) => new Date(ms));
const time = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

describe("delivery properties", () => {
  it("a local-time send is never before the trigger, within 26 hours of it, at that wall time unless DST skipped it", () => {
    fc.assert(
      fc.property(instant, time, fc.constantFrom(...zones), (from, t, zone) => {
        const { at } = scheduledSendAt({ at: "local_time", time: t }, from, zone, null);
        expect(at.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(at.getTime() - from.getTime()).toBeLessThan(26 * 3_600_000);
        const clock = wallClockOf(at, zone);
        const gap = clock.hour * 60 + clock.minute - minutes(t);
        // 0, or the DST gap (an hour; 30 minutes on Lord Howe) a skipped time moved forward by.
        expect([0, 30, 60]).toContain(gap);
      }),
    );
  });

  it("after quiet hours a send is outside them (or at their end), never earlier than asked, within a day", () => {
    fc.assert(
      fc.property(instant, time, time, fc.constantFrom(...zones), (from, start, end, zone) => {
        fc.pre(start !== end);
        const quiet = { start, end };
        const { at, quietHoursPostponed } = scheduledSendAt({ at: "immediately" }, from, zone, quiet);
        expect(at.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(at.getTime() - from.getTime()).toBeLessThanOrEqual(25 * 3_600_000);
        const clock = wallClockOf(at, zone);
        const minute = clock.hour * 60 + clock.minute;
        // Postponed to the end of quiet hours: the end's wall time, or later when DST skipped it.
        if (quietHoursPostponed) expect(minute === minutes(end) || !inQuietHours(minute, quiet)).toBe(true);
        else expect(at).toEqual(from);
      }),
    );
  });

  it("broadcast runs are strictly after `after`, increasing, and daily runs are about a day apart", () => {
    fc.assert(
      fc.property(instant, time, fc.constantFrom(...zones), (after, t, zone) => {
        const runs = nextBroadcastRuns({ repeat: "daily", time: t }, after, zone, 5);
        expect(runs).toHaveLength(5);
        expect(runs[0]!.getTime()).toBeGreaterThan(after.getTime());
        for (let i = 1; i < runs.length; i++) {
          const gap = runs[i]!.getTime() - runs[i - 1]!.getTime();
          expect(gap).toBeGreaterThanOrEqual(22 * 3_600_000);
          expect(gap).toBeLessThanOrEqual(26 * 3_600_000);
        }
      }),
    );
  });
});
