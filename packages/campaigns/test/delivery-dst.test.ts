import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { afterQuietHours, inQuietHours, scheduledSendAt } from "../src/index.ts";
import { wallClockOf } from "./wall-clock.ts";

const at = (s: string) => new Date(s);
const WARSAW = "Europe/Warsaw";
const NEW_YORK = "America/New_York";
const LORD_HOWE = "Australia/Lord_Howe";

describe("end of quiet hours when clocks go back (a repeated hour)", () => {
  // Warsaw, 2024-10-27: 03:00 CEST (01:00Z) becomes 02:00 CET; 02:00-03:00 local is read twice.
  const warsawNight = { start: "22:00", end: "02:30" };

  it("in the first pass the quiet hours end at the first 02:30", () => {
    // 02:15 CEST = 00:15Z; the first 02:30 (CEST) is 00:30Z.
    expect(afterQuietHours(at("2024-10-27T00:15:00Z"), warsawNight, WARSAW)).toEqual(at("2024-10-27T00:30:00Z"));
  });

  it("in the second pass they end at the second 02:30, never before the moment asked", () => {
    // 02:15 CET = 01:15Z; the first 02:30 (00:30Z) is behind it, the second (CET) is 01:30Z.
    expect(afterQuietHours(at("2024-10-27T01:15:00Z"), warsawNight, WARSAW)).toEqual(at("2024-10-27T01:30:00Z"));
    expect(afterQuietHours(at("2026-10-25T01:15:00Z"), warsawNight, WARSAW)).toEqual(at("2026-10-25T01:30:00Z"));
  });

  it("planning postpones a send in the second pass to the second end, not to a time before the trigger", () => {
    const planned = scheduledSendAt({ at: "immediately" }, at("2024-10-27T01:15:00Z"), WARSAW, warsawNight);
    expect(planned).toEqual({ at: at("2024-10-27T01:30:00Z"), quietHoursPostponed: true });
  });

  it("New York, 2024-11-03 (02:00 EDT becomes 01:00 EST at 06:00Z): both passes of 01:xx", () => {
    const quiet = { start: "23:00", end: "01:30" };
    // First pass: 01:10 EDT = 05:10Z → 01:30 EDT = 05:30Z.
    expect(afterQuietHours(at("2024-11-03T05:10:00Z"), quiet, NEW_YORK)).toEqual(at("2024-11-03T05:30:00Z"));
    // Second pass: 01:10 EST = 06:10Z → 01:30 EST = 06:30Z.
    expect(afterQuietHours(at("2024-11-03T06:10:00Z"), quiet, NEW_YORK)).toEqual(at("2024-11-03T06:30:00Z"));
    // Seconds count: 01:29:30 EST is still before the end.
    expect(afterQuietHours(at("2024-11-03T06:29:30Z"), quiet, NEW_YORK)).toEqual(at("2024-11-03T06:30:00Z"));
  });

  it("a quiet window inside the repeated hour ends in the pass the moment is in", () => {
    const quiet = { start: "02:10", end: "02:40" };
    expect(afterQuietHours(at("2024-10-27T00:20:00Z"), quiet, WARSAW)).toEqual(at("2024-10-27T00:40:00Z"));
    expect(afterQuietHours(at("2024-10-27T01:20:00Z"), quiet, WARSAW)).toEqual(at("2024-10-27T01:40:00Z"));
  });
});

describe("end of quiet hours when clocks go forward (a skipped hour)", () => {
  it("an end the clock skips moves forward by the gap, like any skipped local time", () => {
    const quiet = { start: "22:00", end: "02:30" };
    // Warsaw 2024-03-31: 02:00 CET (01:00Z) becomes 03:00 CEST. 01:15 CET = 00:15Z → 03:30 CEST = 01:30Z.
    expect(afterQuietHours(at("2024-03-31T00:15:00Z"), quiet, WARSAW)).toEqual(at("2024-03-31T01:30:00Z"));
    // New York 2024-03-10: 02:00 EST (07:00Z) becomes 03:00 EDT. 01:15 EST = 06:15Z → 03:30 EDT = 07:30Z.
    expect(afterQuietHours(at("2024-03-10T06:15:00Z"), quiet, NEW_YORK)).toEqual(at("2024-03-10T07:30:00Z"));
  });

  it("an end after the skipped hour keeps its wall time", () => {
    const quiet = { start: "22:00", end: "06:00" };
    // 01:15 CET = 00:15Z → 06:00 CEST = 04:00Z.
    expect(afterQuietHours(at("2024-03-31T00:15:00Z"), quiet, WARSAW)).toEqual(at("2024-03-31T04:00:00Z"));
  });
});

// DST changes of 2024-2025 (UTC): random instants around them hit the skipped and the repeated hours, which
// instants drawn over whole years almost never do.
const transitions: Record<string, string[]> = {
  [WARSAW]: ["2024-03-31T01:00:00Z", "2024-10-27T01:00:00Z", "2025-03-30T01:00:00Z", "2025-10-26T01:00:00Z"],
  [NEW_YORK]: ["2024-03-10T07:00:00Z", "2024-11-03T06:00:00Z", "2025-03-09T07:00:00Z", "2025-11-02T06:00:00Z"],
  // Lord Howe moves by 30 minutes: 02:00 LHDT → 01:30 in April, 02:00 LHST → 02:30 in October.
  [LORD_HOWE]: ["2024-04-06T15:00:00Z", "2024-10-05T15:30:00Z", "2025-04-05T15:00:00Z", "2025-10-04T15:30:00Z"],
};
const nearTransition = fc
  .constantFrom(...Object.entries(transitions).flatMap(([zone, list]) => list.map((iso) => ({ zone, iso }))))
  .chain(({ zone, iso }) =>
    fc
      .integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 })
      .map((delta) => ({ zone, from: new Date(Date.parse(iso) + delta) })),
  );
const hhmm = (h: number, m: number) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`;
const anyTime = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => hhmm(h, m));
// Ends in the small hours, where every zone above changes its clocks.
const smallHours = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 59 }))
  .map(([h, m]) => hhmm(h, m));
const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));

describe("end of quiet hours around DST changes (property)", () => {
  it("is never before the moment asked, within a day, and at their end or outside them", () => {
    fc.assert(
      fc.property(nearTransition, anyTime, smallHours, ({ zone, from }, start, end) => {
        fc.pre(start !== end);
        const quiet = { start, end };
        const result = afterQuietHours(from, quiet, zone);
        expect(result.getTime()).toBeGreaterThanOrEqual(from.getTime());
        expect(result.getTime() - from.getTime()).toBeLessThanOrEqual(25 * 3_600_000);
        const clock = wallClockOf(result, zone);
        const minute = clock.hour * 60 + clock.minute;
        // At their end's wall time, or outside them; an end DST skipped moves forward by the gap (an hour, 30
        // minutes on Lord Howe) and may land where a window of 23 hours or so has started again.
        const movedBy = (minute - minutes(end) + 24 * 60) % (24 * 60);
        expect(movedBy === 0 || !inQuietHours(minute, quiet) || movedBy === 30 || movedBy === 60).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
