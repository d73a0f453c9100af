import { ExpiryPolicy } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { expiresAt, inactivityExpiry, noticeAt } from "../src/index.ts";
import { WARSAW } from "./fixtures.ts";

const inactivity = ExpiryPolicy.parse({ kind: "inactivity", months: 12, noticeDays: 14 });
const afterEarning = ExpiryPolicy.parse({ kind: "after_earning", months: 6 });
const none = ExpiryPolicy.parse({ kind: "none" });

describe("expiry after 12 months of inactivity, notice 14 days before", () => {
  it("expires 12 local months after the last purchase and announces it 14 days earlier", () => {
    const expiry = inactivityExpiry(inactivity, "2025-03-10T12:00:00+01:00", WARSAW)!;
    expect(expiry.toISOString()).toBe("2026-03-10T11:00:00.000Z");
    expect(noticeAt(expiry, inactivity.kind === "inactivity" ? inactivity.noticeDays : 0).toISOString()).toBe(
      "2026-02-24T11:00:00.000Z",
    );
  });

  it("a purchase in between resets the clock", () => {
    const first = inactivityExpiry(inactivity, "2025-03-10T12:00:00+01:00", WARSAW)!;
    const afterPurchase = inactivityExpiry(inactivity, "2025-11-02T18:00:00+01:00", WARSAW)!;
    expect(afterPurchase.toISOString()).toBe("2026-11-02T17:00:00.000Z");
    expect(afterPurchase.getTime()).toBeGreaterThan(first.getTime());
  });

  it("lots have no date of their own under inactivity, and other policies have no inactivity date", () => {
    expect(expiresAt(inactivity, "2025-03-10T12:00:00+01:00", WARSAW)).toBeNull();
    expect(inactivityExpiry(afterEarning, "2025-03-10T12:00:00+01:00", WARSAW)).toBeNull();
    expect(inactivityExpiry(none, "2025-03-10T12:00:00+01:00", WARSAW)).toBeNull();
    expect(expiresAt(none, "2025-03-10T12:00:00+01:00", WARSAW)).toBeNull();
  });
});

describe("expiry N months after earning", () => {
  it("keeps the local wall time across a DST change (10:00 in winter → 10:00 in summer)", () => {
    const expiry = expiresAt(afterEarning, "2025-01-15T10:00:00+01:00", WARSAW)!;
    expect(expiry.toISOString()).toBe("2025-07-15T08:00:00.000Z"); // 10:00 CEST, not 09:00
  });

  it("clamps to month end: earned Aug 31, six months → Feb 28", () => {
    expect(expiresAt(afterEarning, "2025-08-31T20:00:00+02:00", WARSAW)!.toISOString()).toBe(
      "2026-02-28T19:00:00.000Z",
    );
  });

  it("the notice counts elapsed days: 14 × 24 h", () => {
    const expiry = new Date("2025-04-05T10:00:00Z");
    expect(noticeAt(expiry, 14).toISOString()).toBe("2025-03-22T10:00:00.000Z");
    expect(noticeAt(expiry, 0).toISOString()).toBe(expiry.toISOString());
  });
});
