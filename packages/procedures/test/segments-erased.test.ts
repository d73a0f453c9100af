import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { eraseCustomer } from "@regulars/privacy";
import { snapshotCustomers } from "@regulars/segments-store";
import { findCredential } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";

// An erased customer never comes back into a segment or a preview, though ClickHouse still holds their rows: an
// API process without ClickHouse erases the Postgres part at once and leaves ClickHouse's to finish-erasures.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenant: Awaited<ReturnType<typeof testTenant>>;
const gold: string[] = [];

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  tenant = await testTenant(db, "Erasing Grill");
  for (let i = 0; i < 2; i++) {
    const id = newId("customer");
    await db.customer.create({ data: { id, tenantId: tenant.tenantId, createdVia: "test" } });
    await db.customerLoyalty.create({ data: { customerId: id, tenantId: tenant.tenantId, tier: "gold" } });
    await snapshotCustomers(db, analytics, { changed: [{ tenantId: tenant.tenantId, customerId: id }], seen: [] });
    gold.push(id);
  }
  gold.sort();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

async function adminCaller() {
  const credential = await findCredential(db, tenant.apiKeys.admin);
  if (!credential) throw new Error("the test key was not found");
  return createCaller({ db, analytics, credential, requestId: "req_test" });
}

describe("segments after an erasure whose ClickHouse part is pending", () => {
  it("never takes the erased customer back in, nor shows them in a preview", async () => {
    const { tenantId } = tenant;
    const [erased, kept] = gold as [string, string];
    const admin = await adminCaller();
    const goldOnly = { all: [{ type: "tier_in" as const, tiers: ["gold"] }] };
    const created = await admin.segments.create({ name: "Gold", definition: goldOnly });
    expect(created.refresh).toMatchObject({ members: 2, entered: 2 });

    const outcome = await eraseCustomer({ db, analytics: null }, tenantId, erased, {
      actor: "test",
      cause: "request",
      now: new Date(),
    });
    expect(outcome.clickhousePending).toBe(true);
    expect(await db.segmentMember.count({ where: { segmentId: created.segment.id, customerId: erased } })).toBe(0);

    const refreshed = await admin.segments.refresh({ id: created.segment.id });
    expect(refreshed.refresh).toMatchObject({ members: 1, entered: 0 });
    const members = await admin.segments.members({ id: created.segment.id });
    expect(members.members.map((m) => m.customerId)).toEqual([kept]);
    const events = await db.outboxEvent.findMany({
      where: { tenantId, type: "segment.entered", payload: { path: ["customerId"], equals: erased } },
    });
    expect(events.map((e) => e.id)).toEqual([`segment.entered:${created.segment.id}:${erased}:1`]);

    const byDefinition = await admin.segments.preview({ definition: goldOnly });
    expect(byDefinition.sample.map((m) => m.customerId)).toEqual([kept]);
    const bySql = await admin.segments.preview({ sql: `SELECT arrayJoin(['${erased}', '${kept}']) AS customer_id` });
    expect(bySql).toMatchObject({ members: 1, exact: true });
    expect(bySql.sample.map((m) => m.customerId)).toEqual([kept]);
  });
});
