import { describe, expect, it } from "vitest";
import {
  afterQuietHours,
  deliveryZone,
  inQuietHours,
  LATE_LOCAL_TIME_GRACE_MS,
  lateSendAt,
  scheduledSendAt,
} from "../src/index.ts";
import { WARSAW } from "./fixtures.ts";

const at = (s: string) => new Date(s);
const quiet = { start: "21:00", end: "08:00" };
const eighteen = { at: "local_time", time: "18:00" } as const;

describe("scheduledSendAt: local time", () => {
  it("immediately is the moment asked", () => {
    const t = at("2024-03-29T09:00:00Z");
    expect(scheduledSendAt({ at: "immediately" }, t, WARSAW, null)).toEqual({ at: t, quietHoursPostponed: false });
  });

  it("18:00 that evening in the zone (UTC+1 in March, UTC+2 in summer)", () => {
    expect(scheduledSendAt(eighteen, at("2024-03-29T09:00:00Z"), WARSAW, null).at).toEqual(at("2024-03-29T17:00:00Z"));
    expect(scheduledSendAt(eighteen, at("2024-06-12T09:00:00Z"), WARSAW, null).at).toEqual(at("2024-06-12T16:00:00Z"));
    expect(scheduledSendAt(eighteen, at("2024-06-12T09:00:00Z"), "America/New_York", null).at).toEqual(
      at("2024-06-12T22:00:00Z"),
    );
  });

  it("exactly 18:00 is that moment; a minute past waits for the next day", () => {
    expect(scheduledSendAt(eighteen, at("2024-03-29T17:00:00Z"), WARSAW, null).at).toEqual(at("2024-03-29T17:00:00Z"));
    expect(scheduledSendAt(eighteen, at("2024-03-29T17:01:00Z"), WARSAW, null).at).toEqual(at("2024-03-30T17:00:00Z"));
  });

  it("the local day decides, not the UTC day: 23:30 UTC is already tomorrow in Warsaw", () => {
    const morning = { at: "local_time", time: "09:00" } as const;
    expect(scheduledSendAt(morning, at("2024-03-28T23:30:00Z"), WARSAW, null).at).toEqual(at("2024-03-29T08:00:00Z"));
  });

  it("across the spring-forward night the wall time holds (23 hours later, not 24)", () => {
    // Saturday 18:01 local: the next 18:00 is Sunday, after clocks went from 02:00 to 03:00 (UTC+2).
    expect(scheduledSendAt(eighteen, at("2024-03-30T17:01:00Z"), WARSAW, null).at).toEqual(at("2024-03-31T16:00:00Z"));
  });

  it("a local time skipped by DST moves forward by the gap; a repeated one takes its first occurrence", () => {
    const twoThirty = { at: "local_time", time: "02:30" } as const;
    // 2024-03-31 02:30 does not exist in Warsaw: 03:30 CEST = 01:30Z.
    expect(scheduledSendAt(twoThirty, at("2024-03-30T23:30:00Z"), WARSAW, null).at).toEqual(at("2024-03-31T01:30:00Z"));
    // 2024-10-27 02:30 happens twice: first at 02:30 CEST = 00:30Z.
    expect(scheduledSendAt(twoThirty, at("2024-10-26T22:30:00Z"), WARSAW, null).at).toEqual(at("2024-10-27T00:30:00Z"));
  });
});

describe("quiet hours", () => {
  it("spanning midnight: start included, end excluded", () => {
    expect(inQuietHours(21 * 60, quiet)).toBe(true);
    expect(inQuietHours(3 * 60, quiet)).toBe(true);
    expect(inQuietHours(8 * 60, quiet)).toBe(false);
    expect(inQuietHours(20 * 60 + 59, quiet)).toBe(false);
  });

  it("within a day", () => {
    const lunch = { start: "12:00", end: "14:00" };
    expect(inQuietHours(13 * 60, lunch)).toBe(true);
    expect(inQuietHours(14 * 60, lunch)).toBe(false);
    expect(inQuietHours(23 * 60, lunch)).toBe(false);
    expect(afterQuietHours(at("2024-06-12T11:00:00Z"), lunch, WARSAW)).toEqual(at("2024-06-12T12:00:00Z"));
  });

  it("an evening send waits for 08:00 the next morning; one after midnight for 08:00 that morning", () => {
    const evening = scheduledSendAt({ at: "immediately" }, at("2024-06-12T20:30:00Z"), WARSAW, quiet);
    expect(evening).toEqual({ at: at("2024-06-13T06:00:00Z"), quietHoursPostponed: true });
    expect(afterQuietHours(at("2024-06-12T23:30:00Z"), quiet, WARSAW)).toEqual(at("2024-06-13T06:00:00Z"));
  });

  it("a local time inside quiet hours is postponed too", () => {
    const late = { at: "local_time", time: "22:00" } as const;
    expect(scheduledSendAt(late, at("2024-06-12T09:00:00Z"), WARSAW, quiet)).toEqual({
      at: at("2024-06-13T06:00:00Z"),
      quietHoursPostponed: true,
    });
  });

  it("the end of quiet hours on the spring-forward night is still 08:00 local (UTC+2 by then)", () => {
    expect(afterQuietHours(at("2024-03-30T22:00:00Z"), quiet, WARSAW)).toEqual(at("2024-03-31T06:00:00Z"));
  });

  it("outside quiet hours nothing moves", () => {
    const t = at("2024-06-12T09:00:00Z");
    expect(scheduledSendAt({ at: "immediately" }, t, WARSAW, quiet)).toEqual({ at: t, quietHoursPostponed: false });
  });
});

describe("deliveryZone", () => {
  const zones = { customer: "America/New_York", location: "Europe/Lisbon", tenant: WARSAW };
  it("takes the zone asked for", () => {
    expect(deliveryZone("customer", zones)).toBe("America/New_York");
    expect(deliveryZone("location", zones)).toBe("Europe/Lisbon");
    expect(deliveryZone("tenant", zones)).toBe(WARSAW);
  });
  it("falls back down the chain when a zone is unknown or missing", () => {
    expect(deliveryZone("customer", { ...zones, customer: null })).toBe("Europe/Lisbon");
    expect(deliveryZone("customer", { ...zones, customer: "Mars/Olympus", location: undefined })).toBe(WARSAW);
    expect(deliveryZone("location", { tenant: WARSAW, customer: "America/New_York" })).toBe(WARSAW);
  });
});

describe("lateSendAt: a message step run after its planned time", () => {
  const planned = at("2024-03-29T17:00:00Z"); // 18:00 in Warsaw
  const heldUntil = at("2024-03-29T22:00:00Z");

  it("a local-time one resumed at 23:30 goes at the next day's 18:00, after any quiet hours", () => {
    const now = at("2024-03-29T22:30:00Z");
    const times = { plannedAt: planned, dueAt: heldUntil, now };
    expect(lateSendAt(eighteen, null, WARSAW, times)).toEqual(at("2024-03-30T17:00:00Z"));
    const evening = { start: "17:00", end: "19:00" };
    expect(lateSendAt(eighteen, evening, WARSAW, times)).toEqual(at("2024-03-30T18:00:00Z"));
  });

  it("a local-time one only a few minutes late, and an immediate one, go when due", () => {
    const soon = new Date(planned.getTime() + LATE_LOCAL_TIME_GRACE_MS);
    expect(lateSendAt(eighteen, null, WARSAW, { plannedAt: planned, dueAt: planned, now: soon })).toEqual(planned);
    const now = at("2024-03-29T22:30:00Z");
    const times = { plannedAt: planned, dueAt: heldUntil, now };
    expect(lateSendAt({ at: "immediately" }, null, WARSAW, times)).toEqual(heldUntil);
  });
});
