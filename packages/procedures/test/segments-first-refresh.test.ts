import { type AnalystSqlTarget, createAnalytics } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { refreshDueSegments, snapshotCustomers } from "@regulars/segments-store";
import { findCredential } from "@regulars/tenancy";
import { startTcpProxy, testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure } from "./helpers.ts";

// segments.create when the first refresh fails, over real Postgres and ClickHouse (chdb; a ClickHouse whose port
// refuses connections): the segment is saved and answered as never refreshed, saying why, and the schedule's
// next refresh materialises it. Nothing is left half-made that would block a retry or linger unexplained.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let tenant: Awaited<ReturnType<typeof testTenant>>;
const gold: string[] = [];

const callerFor = async (key: string, target: AnalystSqlTarget | null) => {
  const credential = await findCredential(db, key);
  if (!credential) throw new Error("the test key was not found");
  return createCaller({ db, analytics: target, credential, requestId: "req_test" });
};

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  tenant = await testTenant(db, "First Refresh Grill");
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

const goldOnly = { all: [{ type: "tier_in" as const, tiers: ["gold"] }] };
const notYetRefreshed = { refreshes: 0, refreshedAt: null, memberCount: 0, lastError: expect.any(String) };

describe("segments.create when its first refresh fails", () => {
  it("keeps the segment, not yet refreshed and saying why, when ClickHouse is down; the schedule refreshes it", async () => {
    const { tenantId } = tenant;
    const port = await startTcpProxy({ host: "127.0.0.1", port: 9 });
    await port.refuse();
    const down = await createAnalytics({ kind: "http", url: `http://${port.address}`, database: "regulars" });
    let created: Awaited<ReturnType<Awaited<ReturnType<typeof callerFor>>["segments"]["create"]>>;
    try {
      const admin = await callerFor(tenant.apiKeys.admin, down);
      created = await admin.segments.create({ name: "Gold while down", definition: goldOnly });
    } finally {
      await down.close();
      await port.close();
    }
    expect(created.refresh).toBeNull();
    expect(created.segment).toMatchObject({ name: "Gold while down", status: "active", ...notYetRefreshed });

    const admin = await callerFor(tenant.apiKeys.admin, analytics);
    expect(await admin.segments.get({ id: created.segment.id })).toMatchObject(notYetRefreshed);
    // One segment of that name, as the user sees it; saving it again is the ordinary "name taken".
    expect((await admin.segments.list()).filter((s) => s.name === "Gold while down")).toHaveLength(1);
    expect((await failure(admin.segments.create({ name: "Gold while down", definition: goldOnly }))).code).toBe(
      "CONFLICT",
    );

    // ClickHouse back: the scheduler's next pass (a minute on: a failed refresh waits that long) takes never-refreshed
    // segments, and this one is materialised.
    const errors: unknown[] = [];
    const nextPass = new Date(Date.now() + 60_000);
    await refreshDueSegments({ db, analytics, tenantId, now: nextPass, onError: (_, e) => errors.push(e) });
    expect(errors).toEqual([]);
    expect(await admin.segments.get({ id: created.segment.id })).toMatchObject({
      refreshes: 1,
      memberCount: 2,
      lastError: null,
    });
    const members = await admin.segments.members({ id: created.segment.id, limit: 10 });
    expect(members.members.map((m) => m.customerId)).toEqual(gold);
  });

  it("keeps an analyst's SQL segment whose query fails at run time; the refresh on fixing its SQL clears the error", async () => {
    const analyst = await callerFor(tenant.apiKeys.analyst, analytics);
    // Passes the save-time check (which reads no rows), fails once ClickHouse evaluates it.
    const failing = "SELECT toString(throwIf(materialize(1), 'no members today')) AS customer_id";
    const created = await analyst.segments.create({ name: "Failing SQL", sql: failing });
    expect(created.refresh).toBeNull();
    expect(created.segment).toMatchObject({ kind: "sql", ...notYetRefreshed });
    expect(created.segment.lastError).toContain("no members today");

    const fixed = await analyst.segments.update({
      id: created.segment.id,
      sql: `SELECT arrayJoin(['${gold.join("', '")}']) AS customer_id`,
    });
    expect(fixed.refresh).toMatchObject({ refresh: 1, members: 2, entered: 2 });
    expect(fixed.segment).toMatchObject({ refreshes: 1, memberCount: 2, lastError: null });
  });

  it("keeps a change whose refresh fails: answered with the reason, the members of the last refresh kept", async () => {
    const analyst = await callerFor(tenant.apiKeys.analyst, analytics);
    const created = await analyst.segments.create({
      name: "Gold by SQL",
      sql: `SELECT arrayJoin(['${gold.join("', '")}']) AS customer_id`,
    });
    expect(created.refresh).toMatchObject({ members: 2 });
    const broken = await analyst.segments.update({
      id: created.segment.id,
      sql: "SELECT toString(throwIf(materialize(1), 'broken on purpose')) AS customer_id",
    });
    expect(broken.refresh).toBeNull();
    expect(broken.segment).toMatchObject({ refreshes: 1, memberCount: 2 });
    expect(broken.segment.lastError).toContain("broken on purpose");
    expect((await analyst.segments.get({ id: created.segment.id })).lastError).toContain("broken on purpose");
  });

  it("saves nothing when the API process has no ClickHouse at all, so a retry where it has one succeeds", async () => {
    const without = await callerFor(tenant.apiKeys.admin, null);
    expect((await failure(without.segments.create({ name: "Gold, no analytics", definition: goldOnly }))).code).toBe(
      "SERVICE_UNAVAILABLE",
    );
    const admin = await callerFor(tenant.apiKeys.admin, analytics);
    expect((await admin.segments.list()).map((s) => s.name)).not.toContain("Gold, no analytics");
    const retried = await admin.segments.create({ name: "Gold, no analytics", definition: goldOnly });
    expect(retried.refresh).toMatchObject({ refresh: 1, members: 2, entered: 2 });
  });
});
