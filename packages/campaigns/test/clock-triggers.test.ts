import { describe, expect, it } from "vitest";
import {
  birthdayOccurrence,
  birthdayOccurrenceOn,
  birthdaysDue,
  birthdaysDueOn,
  daysToScan,
  inactiveSince,
  inactivityOccurrence,
  SCAN_CATCH_UP_DAYS,
  scanWindow,
} from "../src/index.ts";
import { after, days, hours, NOW, WARSAW } from "./fixtures.ts";

// NOW is Friday 2024-03-29, 10:00 in Warsaw.
describe("birthday", () => {
  it("fires on the local day, at local midnight, named by the birthday's year", () => {
    expect(birthdayOccurrence({ daysBefore: 0 }, "1990-03-29", NOW, WARSAW)).toEqual({
      occurrence: "birthday:2024",
      at: new Date("2024-03-28T23:00:00Z"),
    });
    expect(birthdayOccurrence({ daysBefore: 0 }, "1990-03-30", NOW, WARSAW)).toBeNull();
  });

  it("daysBefore counts local days ahead", () => {
    expect(birthdayOccurrence({ daysBefore: 3 }, "1990-04-01", NOW, WARSAW)?.occurrence).toBe("birthday:2024");
    expect(birthdayOccurrence({ daysBefore: 3 }, "1990-03-29", NOW, WARSAW)).toBeNull();
  });

  it("a date of birth edited between scans is the same year's birthday, not a second one", () => {
    const first = birthdayOccurrence({ daysBefore: 0 }, "1990-03-29", NOW, WARSAW);
    const edited = birthdayOccurrence({ daysBefore: 0 }, "1990-03-30", after(days(1)), WARSAW);
    expect(edited).not.toBeNull();
    expect(edited?.occurrence).toBe(first?.occurrence);
  });

  it("across New Year, daysBefore names the birthday's year, not the scan's", () => {
    const dec30 = new Date("2024-12-30T10:00:00Z");
    expect(birthdayOccurrence({ daysBefore: 3 }, "1990-01-02", dec30, WARSAW)?.occurrence).toBe("birthday:2025");
  });

  it("the customer's local day decides: 23:30 UTC on the 28th is already the 29th in Warsaw", () => {
    const lateUtc = new Date("2024-03-28T23:30:00Z");
    expect(birthdayOccurrence({ daysBefore: 0 }, "1990-03-29", lateUtc, WARSAW)).not.toBeNull();
    expect(birthdayOccurrence({ daysBefore: 0 }, "1990-03-29", lateUtc, "UTC")).toBeNull();
  });

  it("29 February birthdays fall on 28 February in common years", () => {
    const feb28 = new Date("2025-02-28T10:00:00Z");
    expect(birthdayOccurrence({ daysBefore: 0 }, "2000-02-29", feb28, WARSAW)?.occurrence).toBe("birthday:2025");
    expect(birthdaysDue({ daysBefore: 0 }, feb28, WARSAW)).toEqual([
      { month: 2, day: 28 },
      { month: 2, day: 29 },
    ]);
    expect(birthdaysDue({ daysBefore: 0 }, new Date("2020-02-28T10:00:00Z"), WARSAW)).toEqual([{ month: 2, day: 28 }]);
  });

  it("without a date of birth, or with a malformed one, nothing", () => {
    expect(birthdayOccurrence({ daysBefore: 0 }, null, NOW, WARSAW)).toBeNull();
    expect(birthdayOccurrence({ daysBefore: 0 }, "29/03/1990", NOW, WARSAW)).toBeNull();
  });

  it("a scan repeated later the same day names the same occurrence", () => {
    const morning = birthdayOccurrence({ daysBefore: 0 }, "1990-03-29", NOW, WARSAW);
    const evening = birthdayOccurrence({ daysBefore: 0 }, "1990-03-29", after(hours(12)), WARSAW);
    expect(evening).toEqual(morning);
  });
});

describe("days a scan acts for", () => {
  const window = scanWindow(NOW, WARSAW);
  const never = { startedAt: null, resumedAt: null };

  it("the window is today's local date and the days before it, oldest first", () => {
    expect(window).toHaveLength(SCAN_CATCH_UP_DAYS);
    expect(window[0]).toBe("2024-03-23");
    expect(window.at(-1)).toBe("2024-03-29");
    // 23:30 UTC on the 28th is already the 29th in Warsaw.
    expect(scanWindow(new Date("2024-03-28T23:30:00Z"), WARSAW).at(-1)).toBe("2024-03-29");
  });

  it("today and the days after the last one scanned, under any version", () => {
    expect(daysToScan(window, "2024-03-29", never, WARSAW)).toEqual(["2024-03-29"]);
    expect(daysToScan(window, "2024-03-28", never, WARSAW)).toEqual(["2024-03-29"]);
    expect(daysToScan(window, "2024-03-26", never, WARSAW)).toEqual(["2024-03-27", "2024-03-28", "2024-03-29"]);
  });

  it("never before the campaign was active, nor back further than the window", () => {
    const startedAt = new Date("2024-03-27T23:30:00Z"); // 28 March, 00:30 in Warsaw
    expect(daysToScan(window, null, { startedAt, resumedAt: null }, WARSAW)).toEqual(["2024-03-28", "2024-03-29"]);
    expect(daysToScan(window, null, { startedAt: after(-days(60)), resumedAt: null }, WARSAW)).toEqual(window);
    expect(daysToScan(window, "2024-03-20", { startedAt: after(-days(60)), resumedAt: null }, WARSAW)).toEqual(window);
    // A resume counts as the start: the days it was paused are not caught up.
    const resumedAt = after(-days(1));
    expect(daysToScan(window, "2024-03-20", { startedAt: after(-days(60)), resumedAt }, WARSAW)).toEqual([
      "2024-03-28",
      "2024-03-29",
    ]);
    // Activated later than the scan's clock reads: today still.
    expect(daysToScan(window, null, { startedAt: after(days(1)), resumedAt: null }, WARSAW)).toEqual(["2024-03-29"]);
  });

  it("without a last scan or a start, no day is known to be missed", () => {
    expect(daysToScan(window, null, never, WARSAW)).toEqual(["2024-03-29"]);
  });

  it("a day scanned late fires at its own local midnight, and daysBefore counts from it", () => {
    expect(birthdayOccurrenceOn({ daysBefore: 0 }, "1990-03-27", "2024-03-27", WARSAW)).toEqual({
      occurrence: "birthday:2024",
      at: new Date("2024-03-26T23:00:00Z"),
    });
    expect(birthdayOccurrenceOn({ daysBefore: 3 }, "1990-03-30", "2024-03-27", WARSAW)?.occurrence).toBe(
      "birthday:2024",
    );
    expect(birthdayOccurrenceOn({ daysBefore: 3 }, "1990-03-27", "2024-03-27", WARSAW)).toBeNull();
  });

  it("29 February birthdays are due on the day whose birthday is 28 February of a common year", () => {
    expect(birthdaysDueOn({ daysBefore: 2 }, "2025-02-26")).toEqual([
      { month: 2, day: 28 },
      { month: 2, day: 29 },
    ]);
    expect(birthdayOccurrenceOn({ daysBefore: 2 }, "2000-02-29", "2025-02-26", WARSAW)?.occurrence).toBe(
      "birthday:2025",
    );
    // In a leap year they are due on their own day only.
    expect(birthdayOccurrenceOn({ daysBefore: 2 }, "2000-02-29", "2024-02-26", WARSAW)).toBeNull();
    expect(birthdayOccurrenceOn({ daysBefore: 2 }, "2000-02-29", "2024-02-27", WARSAW)?.occurrence).toBe(
      "birthday:2024",
    );
  });
});

describe("inactivity", () => {
  const last = after(-days(31));
  it("fires once the customer has been quiet for the days, dated when they became due", () => {
    expect(inactivityOccurrence({ days: 30 }, last, NOW)).toEqual({
      occurrence: `inactive:${last.toISOString()}`,
      at: after(-days(1)),
    });
    expect(inactivityOccurrence({ days: 45 }, last, NOW)).toBeNull();
    expect(inactivityOccurrence({ days: 30 }, null, NOW)).toBeNull();
  });

  it("one stretch of inactivity is one occurrence; coming back starts another", () => {
    const first = inactivityOccurrence({ days: 30 }, last, NOW);
    expect(inactivityOccurrence({ days: 30 }, last, after(days(5)))?.occurrence).toBe(first?.occurrence);
    const back = after(days(1));
    expect(inactivityOccurrence({ days: 30 }, back, after(days(31)))?.occurrence).not.toBe(first?.occurrence);
  });

  it("one stretch of inactivity stays one occurrence when the campaign's days are edited", () => {
    const longAgo = after(-days(46));
    const under30 = inactivityOccurrence({ days: 30 }, longAgo, after(-days(16)));
    const under45 = inactivityOccurrence({ days: 45 }, longAgo, NOW);
    expect(under45?.occurrence).toBe(under30?.occurrence);
    // Each is dated when it became due under its own days.
    expect(under45?.at).toEqual(after(-days(1)));
  });

  it("inactiveSince is the cut-off the store's query uses", () => {
    expect(inactiveSince({ days: 30 }, NOW)).toEqual(after(-days(30)));
  });
});
