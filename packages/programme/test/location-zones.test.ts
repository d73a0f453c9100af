import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProgrammeCache, programmeInForce } from "../src/cache.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const HOUR = 3_600_000;
const now = () => new Date();

/**
 * A location row as `setLocation` (@regulars/tenancy, which depends on this package) writes it: an upsert whose
 * `updated_at` always moves forward.
 */
const setZone = (tenantId: string, id: string, timezone: string | null) => db.$executeRaw`
  INSERT INTO locations (tenant_id, id, timezone) VALUES (${tenantId}, ${id}, ${timezone})
  ON CONFLICT (tenant_id, id) DO UPDATE SET timezone = EXCLUDED.timezone,
    updated_at = GREATEST(now(), locations.updated_at + interval '1 millisecond')`;
/** Changes what the cache holds without anything `refresh` watches, so a kept entry shows the old zone. */
const moveTenantQuietly = (tenantId: string, timezone: string) =>
  db.$executeRaw`UPDATE tenants SET timezone = ${timezone} WHERE id = ${tenantId}`;

describe("the zone of a location", () => {
  it("is the location's where an admin set one, and the tenant's for any other location or none", async () => {
    const { tenantId } = await testTenant(db, "Zoned Grill", "Europe/Warsaw");
    await setZone(tenantId, "store-nyc", "America/New_York");
    await setZone(tenantId, "store-krk", null);
    const cache = new ProgrammeCache(db, HOUR);
    expect(await cache.inForce(tenantId, now(), "store-nyc")).toMatchObject({
      timezone: "Europe/Warsaw",
      localZone: "America/New_York",
    });
    for (const location of ["store-krk", "store-unknown", null, undefined])
      expect(await cache.inForce(tenantId, now(), location), String(location)).toMatchObject({
        timezone: "Europe/Warsaw",
        localZone: "Europe/Warsaw",
      });
    expect((await programmeInForce(db, tenantId, now(), "store-nyc"))?.localZone).toBe("America/New_York");
    expect((await programmeInForce(db, tenantId, now()))?.localZone).toBe("Europe/Warsaw");
  });

  it("is one tenant's: the same location id of another tenant keeps that tenant's zone", async () => {
    const [a, b] = await Promise.all([
      testTenant(db, "Zone A Grill", "Europe/Warsaw"),
      testTenant(db, "Zone B Grill", "Europe/Lisbon"),
    ]);
    await setZone(a.tenantId, "store-1", "Asia/Tokyo");
    expect((await programmeInForce(db, b.tenantId, now(), "store-1"))?.localZone).toBe("Europe/Lisbon");
  });
});

describe("ProgrammeCache.refresh and locations", () => {
  it("drops a tenant's entry when its locations changed, so the next inForce sees the new zone", async () => {
    const { tenantId } = await testTenant(db, "Moving Grill", "Europe/Warsaw");
    const cache = new ProgrammeCache(db, HOUR);
    expect((await cache.inForce(tenantId, now(), "store-1"))?.localZone).toBe("Europe/Warsaw");

    await setZone(tenantId, "store-1", "America/New_York");
    expect((await cache.inForce(tenantId, now(), "store-1"))?.localZone).toBe("Europe/Warsaw"); // cached
    await cache.refresh([tenantId]);
    expect((await cache.inForce(tenantId, now(), "store-1"))?.localZone).toBe("America/New_York");

    await setZone(tenantId, "store-1", "America/Chicago"); // a change of a zone already set
    await cache.refresh([tenantId]);
    expect((await cache.inForce(tenantId, now(), "store-1"))?.localZone).toBe("America/Chicago");

    await db.$executeRaw`DELETE FROM locations WHERE tenant_id = ${tenantId}`; // a location removed
    await cache.refresh([tenantId]);
    expect((await cache.inForce(tenantId, now(), "store-1"))?.localZone).toBe("Europe/Warsaw");
  });

  it("keeps the entry of a tenant whose locations did not change, when another tenant's did", async () => {
    const [kept, changed] = await Promise.all([
      testTenant(db, "Kept Grill", "Europe/Warsaw"),
      testTenant(db, "Changed Grill", "Europe/Lisbon"),
    ]);
    await setZone(kept.tenantId, "store-1", "Asia/Tokyo");
    const cache = new ProgrammeCache(db, HOUR);
    await cache.inForce(kept.tenantId, now());
    await cache.inForce(changed.tenantId, now());

    await moveTenantQuietly(kept.tenantId, "Europe/Berlin");
    await setZone(changed.tenantId, "store-1", "America/New_York");
    await cache.refresh([kept.tenantId, changed.tenantId]);
    expect(await cache.inForce(kept.tenantId, now(), "store-1")).toMatchObject({
      timezone: "Europe/Warsaw",
      localZone: "Asia/Tokyo",
    });
    expect((await cache.inForce(changed.tenantId, now(), "store-1"))?.localZone).toBe("America/New_York");
  });
});
