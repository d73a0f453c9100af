import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, signedInStaff, tenantCallers } from "./helpers.ts";

let db: Db;
let t: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  t = await tenantCallers(db, "Locations Grill");
});
afterAll(async () => {
  await db?.$disconnect();
});

describe("locations.set and locations.list", () => {
  it("sets a location's name and zone, audited with who set it, and lists it", async () => {
    const saved = await t.admin.locations.set({ id: "store-nyc", name: "New York", timezone: "America/New_York" });
    expect(saved).toEqual({
      id: "store-nyc",
      name: "New York",
      timezone: "America/New_York",
      updatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // These callers have no ClickHouse: the list is the configured locations, and says sales could not be read.
    expect(await t.admin.locations.list()).toEqual({
      items: [{ ...saved, zoneInForce: "America/New_York", configured: true, sales: 0, lastSaleAt: null }],
      seenDays: 365,
      seenUnavailable: true,
    });
    const [audit] = await db.auditLog.findMany({
      where: { tenantId: t.tenantId, action: "locations.set", target: "store-nyc" },
      select: { actor: true },
    });
    expect(audit).toEqual({ actor: t.adminKeyId });
  });

  it("refuses a zone that is none, and a location id a till could not post, naming the field", async () => {
    const zone = await failure(t.admin.locations.set({ id: "store-x", name: null, timezone: "Europe/Atlantis" }));
    expect(zone.code).toBe("BAD_REQUEST");
    expect(issuesOf(zone)).toEqual([{ path: "timezone", message: expect.stringMatching(/IANA/) }]);
    const id = await failure(t.admin.locations.set({ id: "store x", name: null, timezone: null }));
    expect(issuesOf(id)?.map((i) => i.path)).toEqual(["id"]);
    expect((await t.admin.locations.list()).items.map((l) => l.id)).not.toContain("store-x");
  });

  it("is for admin keys and the staff who act as admins; not for tills, kiosks or analysts", async () => {
    for (const caller of [t.pos, t.kiosk, t.analyst]) {
      expect((await failure(caller.locations.set({ id: "store-1", name: null, timezone: null }))).code).toBe(
        "FORBIDDEN",
      );
      expect((await failure(caller.locations.list())).code).toBe("FORBIDDEN");
    }
    const marketer = await signedInStaff(db, t.tenantId, "marketer");
    expect((await marketer.caller.locations.set({ id: "store-1", name: "One", timezone: null })).name).toBe("One");
  });

  it("shows a tenant only its own locations", async () => {
    const other = await tenantCallers(db, "Other Locations Grill");
    await other.admin.locations.set({ id: "store-nyc", name: "Other's", timezone: "Asia/Tokyo" });
    expect((await other.admin.locations.list()).items).toEqual([expect.objectContaining({ name: "Other's" })]);
    const mine = await t.admin.locations.list();
    expect(mine.items.find((l) => l.id === "store-nyc")).toMatchObject({
      name: "New York",
      timezone: "America/New_York",
    });
  });
});
