import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { snapshotCustomers } from "@regulars/segments-store";
import { findCredential } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, issuesOf } from "./helpers.ts";

// segments.* over tRPC: who may do what, create and update refresh at once, refusals read as the error table says.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let other: Awaited<ReturnType<typeof testTenant>>;
const gold: string[] = [];

async function callerFor(key: string) {
  const credential = await findCredential(db, key);
  if (!credential) throw new Error("the test key was not found");
  return createCaller({ db, analytics, credential, requestId: "req_test" });
}

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  tenant = await testTenant(db, "Segment Grill");
  other = await testTenant(db, "Other Grill");
  for (const tier of ["gold", "gold", "silver"]) {
    const id = newId("customer");
    await db.customer.create({ data: { id, tenantId: tenant.tenantId, createdVia: "test" } });
    await db.customerLoyalty.create({ data: { customerId: id, tenantId: tenant.tenantId, tier } });
    await snapshotCustomers(db, analytics, { changed: [{ tenantId: tenant.tenantId, customerId: id }], seen: [] });
    if (tier === "gold") gold.push(id);
  }
  gold.sort();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const goldOnly = { all: [{ type: "tier_in" as const, tiers: ["gold"] }] };

describe("segments over tRPC", () => {
  it("admins create a segment, which is materialised at once, and read it back with its members", async () => {
    const admin = await callerFor(tenant.apiKeys.admin);
    const created = await admin.segments.create({ name: "Gold", definition: goldOnly, refreshIntervalMinutes: 30 });
    expect(created.refresh).toEqual({ segmentId: created.segment.id, refresh: 1, members: 2, entered: 2, left: 0 });
    expect(created.segment).toMatchObject({ name: "Gold", kind: "definition", memberCount: 2, version: 1 });
    const page = await admin.segments.members({ id: created.segment.id, limit: 1 });
    expect(page.members.map((m) => m.customerId)).toEqual([gold[0]]);
    expect((await admin.segments.members({ id: created.segment.id, after: page.next! })).members).toHaveLength(1);
    expect((await admin.segments.list()).map((s) => s.name)).toContain("Gold");

    const updated = await admin.segments.update({
      id: created.segment.id,
      definition: { any: [{ type: "tier_in", tiers: ["silver"] }] },
    });
    expect(updated.refresh).toMatchObject({ refresh: 2, members: 1, entered: 1, left: 2 });
    expect(updated.segment.version).toBe(2);
    const audited = await db.auditLog.findMany({ where: { tenantId: tenant.tenantId, target: created.segment.id } });
    expect(audited.map((a) => a.action).sort()).toEqual(["segments.create", "segments.update"]);
    expect((await admin.segments.refresh({ id: created.segment.id })).refresh).toMatchObject({ entered: 0, left: 0 });

    const preview = await admin.segments.preview({ definition: goldOnly, sampleSize: 5 });
    expect(preview.members).toBe(2);
    expect(preview.sample.map((m) => [m.customerId, m.tier])).toEqual(gold.map((id) => [id, "gold"]));
    // A count alone, as a builder asks while the definition is being typed.
    expect(await admin.segments.preview({ definition: goldOnly, sampleSize: 0 })).toMatchObject({
      members: 2,
      sample: [],
    });
  });

  it("analysts save raw SQL segments only, and SQL outside the allowed tables is refused", async () => {
    const analyst = await callerFor(tenant.apiKeys.analyst);
    expect((await failure(analyst.segments.create({ name: "Def", definition: goldOnly }))).code).toBe("FORBIDDEN");
    const sql = ["SELECT customer_id", "FROM transactions", "WHERE type = 'sale'"];
    const created = await analyst.segments.create({ name: "Buyers", sql });
    expect(created.segment).toMatchObject({ kind: "sql", sql: sql.join("\n"), memberCount: 0 });

    const outside = await failure(
      analyst.segments.create({ name: "Sneaky", sql: "SELECT customer_id FROM customers" }),
    );
    expect(outside.code).toBe("BAD_REQUEST");
    expect(issuesOf(outside)?.[0]?.path).toBe("sql");
    const both = await failure(analyst.segments.create({ name: "Both", sql: "SELECT 1", definition: goldOnly }));
    expect(both.code).toBe("BAD_REQUEST");
    // Pausing freezes the audiences of the campaigns that use a segment: an admin's call, not an analyst's.
    const paused = await failure(analyst.segments.update({ id: created.segment.id, status: "paused" }));
    expect(paused.code).toBe("FORBIDDEN");
    expect((await analyst.segments.get({ id: created.segment.id })).status).toBe("active");
  });

  it("a paused segment keeps its members through any update until an admin refreshes or resumes it", async () => {
    const paused = await testTenant(db, "Paused Grill");
    const { tenantId } = paused;
    const addGold = async () => {
      const id = newId("customer");
      await db.customer.create({ data: { id, tenantId, createdVia: "test" } });
      await db.customerLoyalty.create({ data: { customerId: id, tenantId, tier: "gold" } });
      await snapshotCustomers(db, analytics, { changed: [{ tenantId, customerId: id }], seen: [] });
      return id;
    };
    const first = await addGold();
    const admin = await callerFor(paused.apiKeys.admin);
    const analyst = await callerFor(paused.apiKeys.analyst);
    const byDefinition = (await admin.segments.create({ name: "Gold", definition: goldOnly })).segment;
    const bySql = (await analyst.segments.create({ name: "Listed", sql: `SELECT '${first}' AS customer_id` })).segment;
    for (const { id } of [byDefinition, bySql]) {
      const pausing = await admin.segments.update({ id, status: "paused" });
      expect(pausing.refresh).toMatchObject({ paused: true, refresh: 1, members: 1, entered: 0, left: 0 });
    }

    const second = await addGold();
    const renamed = await admin.segments.update({ id: byDefinition.id, name: "Gold, frozen" });
    expect(renamed.refresh).toMatchObject({ paused: true, refresh: 1, members: 1 });
    const rewritten = await analyst.segments.update({
      id: bySql.id,
      name: "Listed, frozen",
      sql: `SELECT arrayJoin(['${first}', '${second}']) AS customer_id`,
    });
    expect(rewritten.refresh).toMatchObject({ paused: true, refresh: 1, members: 1 });
    // The members stay those of the SQL before the edit, and the segment says so.
    expect(rewritten.segment).toMatchObject({
      status: "paused",
      version: 2,
      refreshedVersion: 1,
      refreshes: 1,
      memberCount: 1,
    });
    const entered = () =>
      db.outboxEvent.count({
        where: { tenantId, type: "segment.entered", payload: { path: ["customerId"], equals: second } },
      });
    expect(await entered()).toBe(0);

    // An admin's explicit refresh goes ahead; resuming refreshes as any change does.
    const refreshed = await admin.segments.refresh({ id: byDefinition.id });
    expect(refreshed.refresh).toMatchObject({ refresh: 2, members: 2, entered: 1 });
    expect(refreshed.refresh.paused).toBeUndefined();
    const resumed = await admin.segments.update({ id: bySql.id, status: "active" });
    expect(resumed.refresh).toMatchObject({ refresh: 2, members: 2, entered: 1 });
    expect(await entered()).toBe(2);
  });

  it("keeps tenants apart and keeps tills out", async () => {
    const admin = await callerFor(tenant.apiKeys.admin);
    const theirs = await (await callerFor(other.apiKeys.admin)).segments.create({ name: "Gold", definition: goldOnly });
    expect(theirs.segment.memberCount).toBe(0);
    expect((await failure(admin.segments.get({ id: theirs.segment.id }))).code).toBe("NOT_FOUND");
    expect((await failure(admin.segments.refresh({ id: theirs.segment.id }))).code).toBe("NOT_FOUND");
    const kiosk = await callerFor(tenant.apiKeys.kiosk);
    expect((await failure(kiosk.segments.list())).code).toBe("FORBIDDEN");
    const dup = await failure(admin.segments.create({ name: "Gold", definition: goldOnly }));
    expect(dup.code).toBe("CONFLICT");
  });
});
