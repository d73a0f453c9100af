import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { snapshotCustomers } from "@regulars/segments-store";
import { findCredential } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";

// An admin's segments.refresh overrides a pause and announces segment.entered (which may start campaigns): the
// audit log names who asked, the segment and what changed, in counts.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const goldOnly = { all: [{ type: "tier_in" as const, tiers: ["gold"] }] };

describe("segments.refresh", () => {
  it("is audited with the actor, the segment and its counts, overriding a pause", async () => {
    const { tenantId, apiKeys } = await testTenant(db, "Audited Refresh Grill");
    const addGold = async () => {
      const id = newId("customer");
      await db.customer.create({ data: { id, tenantId, createdVia: "test" } });
      await db.customerLoyalty.create({ data: { customerId: id, tenantId, tier: "gold" } });
      await snapshotCustomers(db, analytics, { changed: [{ tenantId, customerId: id }], seen: [] });
      return id;
    };
    const first = await addGold();
    const credential = (await findCredential(db, apiKeys.admin))!;
    const admin = createCaller({ db, analytics, credential, requestId: "req_test" });
    const { segment } = await admin.segments.create({ name: "Gold", definition: goldOnly });
    await admin.segments.update({ id: segment.id, status: "paused" });
    const second = await addGold();

    const { refresh } = await admin.segments.refresh({ id: segment.id });
    expect(refresh).toMatchObject({ refresh: 2, members: 2, entered: 1, left: 0 });

    const audited = await db.auditLog.findMany({ where: { tenantId, target: segment.id }, orderBy: { id: "asc" } });
    // The refreshes that follow a create or an update are audited as that change, not again as refreshes.
    expect(audited.map((a) => a.action)).toEqual(["segments.create", "segments.update", "segments.refresh"]);
    const row = audited.at(-1)!;
    expect(row.actor).toBe(credential.keyId);
    expect(row.details).toEqual({ refresh: 2, members: 2, entered: 1, left: 0, status: "paused" });
    // Counts, not the customers who moved.
    for (const customerId of [first, second]) expect(JSON.stringify(row.details)).not.toContain(customerId);
  });
});
