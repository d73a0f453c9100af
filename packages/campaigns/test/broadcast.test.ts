import { describe, expect, it } from "vitest";
import {
  broadcastRunMissed,
  LATE_BROADCAST_RUN_GRACE_MS,
  nextBroadcastRunAfterLast,
  nextBroadcastRuns,
} from "../src/index.ts";
import { after, days, hours, iso, NOW, WARSAW } from "./fixtures.ts";

const utc = (s: string) => new Date(s);

describe("nextBroadcastRuns", () => {
  it("once: the instant, when it is still ahead", () => {
    const at = after(days(2)).toISOString();
    expect(nextBroadcastRuns({ repeat: "once", at }, NOW, WARSAW, 3)).toEqual([new Date(at)]);
    expect(nextBroadcastRuns({ repeat: "once", at }, new Date(at), WARSAW)).toEqual([]);
  });

  it("daily at a local time, across the spring-forward night (UTC+1, then UTC+2)", () => {
    expect(nextBroadcastRuns({ repeat: "daily", time: "18:00" }, NOW, WARSAW, 4)).toEqual([
      utc("2024-03-29T17:00:00Z"),
      utc("2024-03-30T17:00:00Z"),
      utc("2024-03-31T16:00:00Z"),
      utc("2024-04-01T16:00:00Z"),
    ]);
  });

  it("strictly after: a run at `after` itself is not next", () => {
    const runs = nextBroadcastRuns({ repeat: "daily", time: "18:00" }, utc("2024-03-29T17:00:00Z"), WARSAW, 1);
    expect(runs).toEqual([utc("2024-03-30T17:00:00Z")]);
  });

  it("a local run time the clocks skip moves forward; a repeated one runs once", () => {
    const spring = nextBroadcastRuns({ repeat: "daily", time: "02:30" }, utc("2024-03-30T12:00:00Z"), WARSAW, 2);
    expect(spring).toEqual([utc("2024-03-31T01:30:00Z"), utc("2024-04-01T00:30:00Z")]);
    const autumn = nextBroadcastRuns({ repeat: "daily", time: "02:30" }, utc("2024-10-26T12:00:00Z"), WARSAW, 2);
    expect(autumn).toEqual([utc("2024-10-27T00:30:00Z"), utc("2024-10-28T01:30:00Z")]);
  });

  it("weekly on chosen weekdays", () => {
    // NOW is Friday 29 March; Monday and Friday at 09:00 local.
    const runs = nextBroadcastRuns({ repeat: "weekly", time: "09:00", weekdays: [1, 5] }, NOW, WARSAW, 3);
    expect(runs).toEqual([utc("2024-04-01T07:00:00Z"), utc("2024-04-05T07:00:00Z"), utc("2024-04-08T07:00:00Z")]);
  });

  it("monthly: the 31st means the last day of shorter months", () => {
    const runs = nextBroadcastRuns({ repeat: "monthly", time: "12:00", dayOfMonth: 31 }, NOW, WARSAW, 3);
    expect(runs).toEqual([utc("2024-03-31T10:00:00Z"), utc("2024-04-30T10:00:00Z"), utc("2024-05-31T10:00:00Z")]);
  });

  it("the local date decides: 23:30 UTC is already the next day in Warsaw", () => {
    const runs = nextBroadcastRuns({ repeat: "daily", time: "00:15" }, utc("2024-06-11T21:30:00Z"), WARSAW, 1);
    expect(runs).toEqual([utc("2024-06-11T22:15:00Z")]);
  });

  it("stops at until (a run exactly at until is the last)", () => {
    const until = "2024-03-30T17:00:00.000Z";
    expect(nextBroadcastRuns({ repeat: "daily", time: "18:00", until }, NOW, WARSAW, 5)).toEqual([
      utc("2024-03-29T17:00:00Z"),
      utc(until),
    ]);
  });

  it("many runs ahead: a monthly schedule two years out", () => {
    const runs = nextBroadcastRuns({ repeat: "monthly", time: "12:00", dayOfMonth: 1 }, NOW, WARSAW, 24);
    expect(runs).toHaveLength(24);
    expect(runs.at(-1)).toEqual(utc("2026-03-01T11:00:00Z"));
  });
});

describe("nextBroadcastRunAfterLast", () => {
  // NOW is 10:00 in Warsaw; the 18:00 run of 28 March has gone out.
  const ranAt = utc("2024-03-28T17:00:00Z");

  it("a schedule saved after a run runs on a later local date: 18:00 moved to 19:00 at 18:30 is tomorrow's", () => {
    const saved = utc("2024-03-28T17:30:00Z");
    expect(nextBroadcastRuns({ repeat: "daily", time: "19:00" }, saved, WARSAW)).toEqual([utc("2024-03-28T18:00:00Z")]);
    expect(nextBroadcastRunAfterLast({ repeat: "daily", time: "19:00" }, saved, WARSAW, ranAt)).toEqual(
      utc("2024-03-29T18:00:00Z"),
    );
    // Never ran: the next run as ever.
    expect(nextBroadcastRunAfterLast({ repeat: "daily", time: "19:00" }, saved, WARSAW, null)).toEqual(
      utc("2024-03-28T18:00:00Z"),
    );
  });

  it("a monthly schedule runs once a month; a one-time instant is not held back", () => {
    const monthly = { repeat: "monthly" as const, time: "12:00", dayOfMonth: 30 };
    expect(nextBroadcastRunAfterLast(monthly, NOW, WARSAW, ranAt)).toEqual(utc("2024-04-30T10:00:00Z"));
    const at = iso(hours(2));
    expect(nextBroadcastRunAfterLast({ repeat: "once", at }, NOW, WARSAW, ranAt)).toEqual(new Date(at));
  });

  it("no run left after the last one's date: none", () => {
    const until = "2024-03-28T18:30:00.000Z";
    expect(nextBroadcastRunAfterLast({ repeat: "daily", time: "19:00", until }, ranAt, WARSAW, ranAt)).toBeNull();
  });
});

describe("broadcastRunMissed", () => {
  const runAt = utc("2024-03-28T17:00:00Z");
  it("a repeating run past the grace is missed; a one-time run never is", () => {
    const daily = { repeat: "daily" as const, time: "18:00" };
    expect(broadcastRunMissed(daily, runAt, after(LATE_BROADCAST_RUN_GRACE_MS, runAt))).toBe(false);
    expect(broadcastRunMissed(daily, runAt, after(LATE_BROADCAST_RUN_GRACE_MS + 1, runAt))).toBe(true);
    expect(broadcastRunMissed({ repeat: "once", at: runAt.toISOString() }, runAt, after(hours(9), runAt))).toBe(false);
  });
});
