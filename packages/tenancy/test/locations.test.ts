import type { Db } from "@regulars/db";
import { withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { ProgrammeCache } from "@regulars/programme";
import { holdTransaction, raceWithHeldTransaction, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocationSettings, listLocations, setLocation } from "../src/index.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const set = (tenantId: string, location: LocationSettings, actor = "key_admin") =>
  withTransaction(db, (tx) => setLocation(tx, tenantId, location, actor));
const refusal = async (work: Promise<unknown>): Promise<DomainError> => {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
};

describe("setLocation and listLocations", () => {
  it("creates and replaces locations, lists them by id, and audits each set with before and after", async () => {
    const { tenantId } = await testTenant(db, "Two Zone Grill");
    const created = await set(tenantId, { id: "store-nyc", name: "New York", timezone: "America/New_York" });
    expect(created).toEqual({
      id: "store-nyc",
      name: "New York",
      timezone: "America/New_York",
      updatedAt: expect.any(Date),
    });
    await set(tenantId, { id: "store-waw", name: null, timezone: null });
    const replaced = await set(tenantId, { id: "store-nyc", name: "Manhattan", timezone: "America/Chicago" });
    expect(replaced.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());

    expect(await listLocations(db, tenantId)).toEqual([
      { id: "store-nyc", name: "Manhattan", timezone: "America/Chicago", updatedAt: replaced.updatedAt },
      { id: "store-waw", name: null, timezone: null, updatedAt: expect.any(Date) },
    ]);
    const audit = await db.auditLog.findMany({
      where: { tenantId, action: "locations.set" },
      select: { actor: true, target: true, details: true },
      orderBy: { id: "asc" },
    });
    expect(audit).toEqual([
      {
        actor: "key_admin",
        target: "store-nyc",
        details: { before: null, after: { name: "New York", timezone: "America/New_York" } },
      },
      { actor: "key_admin", target: "store-waw", details: { before: null, after: { name: null, timezone: null } } },
      {
        actor: "key_admin",
        target: "store-nyc",
        details: {
          before: { name: "New York", timezone: "America/New_York" },
          after: { name: "Manhattan", timezone: "America/Chicago" },
        },
      },
    ]);
  });

  it("stores a location's zone as the tz database spells it, whatever case it was typed in", async () => {
    const { tenantId } = await testTenant(db, "Lower Case Grill");
    expect((await set(tenantId, { id: "store-1", name: null, timezone: "america/new_york" })).timezone).toBe(
      "America/New_York",
    );
    await set(tenantId, { id: "store-2", name: null, timezone: "asia/kolkata" });
    expect((await listLocations(db, tenantId)).map((l) => l.timezone)).toEqual(["America/New_York", "Asia/Kolkata"]);
  });

  it("refuses a zone that is not an IANA one, naming the field, and writes nothing", async () => {
    const { tenantId } = await testTenant(db, "Bad Zone Grill");
    const error = await refusal(set(tenantId, { id: "store-1", name: "One", timezone: "Mars/Olympus" }));
    expect(error.code).toBe("invalid_request");
    expect(error.issues).toEqual([{ path: "timezone", message: expect.stringMatching(/IANA time zone/) }]);
    const badId = await refusal(set(tenantId, { id: "store 1", name: "", timezone: null }));
    expect(badId.issues?.map((i) => i.path)).toEqual(["id", "name"]);
    expect(await listLocations(db, tenantId)).toEqual([]);
    expect(await db.auditLog.count({ where: { tenantId, action: "locations.set" } })).toBe(0);
  });

  it("keeps each tenant's locations to itself, also under the same location id", async () => {
    const [a, b] = await Promise.all([testTenant(db, "Tenant A Grill"), testTenant(db, "Tenant B Grill")]);
    await set(a.tenantId, { id: "store-1", name: "A's", timezone: "Asia/Tokyo" });
    await set(b.tenantId, { id: "store-1", name: "B's", timezone: null });
    expect((await listLocations(db, a.tenantId)).map((l) => [l.name, l.timezone])).toEqual([["A's", "Asia/Tokyo"]]);
    expect((await listLocations(db, b.tenantId)).map((l) => [l.name, l.timezone])).toEqual([["B's", null]]);
  });
});

describe("a set location and the programme cache", () => {
  it("applies from the next batch: refresh drops the tenant's entry, not another tenant's", async () => {
    const [chain, other] = await Promise.all([
      testTenant(db, "Chain Grill", "Europe/Warsaw"),
      testTenant(db, "Other Grill", "Europe/Lisbon"),
    ]);
    const cache = new ProgrammeCache(db, 3_600_000);
    const now = new Date();
    expect((await cache.inForce(chain.tenantId, now, "store-nyc"))?.localZone).toBe("Europe/Warsaw");
    expect((await cache.inForce(other.tenantId, now, "store-nyc"))?.localZone).toBe("Europe/Lisbon");

    await set(chain.tenantId, { id: "store-nyc", name: null, timezone: "America/New_York" });
    await set(other.tenantId, { id: "store-nyc", name: null, timezone: "Asia/Tokyo" });
    await cache.refresh([chain.tenantId]);
    const after = await cache.inForce(chain.tenantId, now, "store-nyc");
    expect(after).toMatchObject({ timezone: "Europe/Warsaw", localZone: "America/New_York" });
    // Not refreshed: the other tenant's entry stays as cached until its own batch refreshes it.
    expect((await cache.inForce(other.tenantId, now, "store-nyc"))?.localZone).toBe("Europe/Lisbon");
  });

  it("sees both of two sets made at once: the later-started one waits, and stamps after the first", async () => {
    const { tenantId } = await testTenant(db, "Busy Admins Grill", "Europe/Warsaw");
    await set(tenantId, { id: "a", name: null, timezone: null });
    await set(tenantId, { id: "b", name: null, timezone: null });
    const cache = new ProgrammeCache(db, 3_600_000);
    const now = new Date();
    expect((await cache.inForce(tenantId, now, "a"))?.localZone).toBe("Europe/Warsaw");

    // A began first and commits last; had B committed in between with a later stamp, a refresh between the two
    // commits would have taken A's (earlier) stamp for no change, and the cache would keep A's old zone.
    await raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      (tx) => setLocation(tx, tenantId, { id: "a", name: null, timezone: "America/New_York" }, "key_a"),
      async () => {
        await set(tenantId, { id: "b", name: null, timezone: "Asia/Tokyo" }, "key_b");
        await cache.refresh([tenantId]);
      },
      "the second admin's set",
    );
    await cache.refresh([tenantId]);

    expect((await cache.inForce(tenantId, now, "a"))?.localZone).toBe("America/New_York");
    expect((await cache.inForce(tenantId, now, "b"))?.localZone).toBe("Asia/Tokyo");
  });

  it("never waits for the tenant's writes in flight (their foreign-key checks share the tenant's row)", async () => {
    const { tenantId } = await testTenant(db, "Busy Tills Grill", "Europe/Warsaw");
    // A ledger batch of the tenant, open: its insert holds KEY SHARE on the tenant's row until it commits.
    const batch = await holdTransaction(testDatabaseUrl(), (tx) =>
      tx.customer.create({ data: { id: `cus_busy${Date.now()}`, tenantId, createdVia: "pos" } }),
    );
    try {
      // Refused at once rather than queued, should the set want a lock the batch holds.
      const saved = await withTransaction(db, async (tx) => {
        await tx.$executeRaw`SET LOCAL lock_timeout = '2s'`;
        return setLocation(tx, tenantId, { id: "store-nyc", name: null, timezone: "America/New_York" }, "key_admin");
      });
      expect(saved.timezone).toBe("America/New_York");
    } finally {
      await batch.commit();
    }
  });
});
