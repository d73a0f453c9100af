import { AnalystSqlRefused } from "@regulars/analytics";
import { SegmentDefinition, SegmentEntered, SegmentLeft } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkSegmentSql,
  createSegment,
  dueSegments,
  listMembers,
  materialiseSegment,
  previewSegment,
  refreshDueSegments,
  snapshotCustomers,
} from "../src/index.ts";
import { addCustomer, ago, fact } from "./fixtures.ts";
import { buildWorld } from "./world.ts";

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";
const now = new Date(Date.now() - 3_600_000);
let tenantId: string;
let people: Awaited<ReturnType<typeof buildWorld>>;

beforeAll(async () => {
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Members", timezone));
  people = await buildWorld(db, analytics, { tenantId, timezone }, now);
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

const definition = (d: unknown) => ({ kind: "definition" as const, definition: SegmentDefinition.parse(d) });
const deps = () => ({ db, analytics });

async function events(segmentId: string) {
  const rows = await db.outboxEvent.findMany({ where: { tenantId, type: { startsWith: "segment." } } });
  return rows
    .map((r) => SegmentEntered.or(SegmentLeft).parse(r.payload))
    .filter((e) => e.segmentId === segmentId)
    .map((e) => `${e.type}:${e.customerId}:${e.refresh}`)
    .sort();
}

describe("materialisation", () => {
  it("announces each entry and exit exactly once across refreshes, concurrent ones included", async () => {
    const source = definition({ all: [{ type: "order_value", window: "30d", op: "gte", value: 1500 }] });
    const segment = await createSegment(db, tenantId, { name: "Spent 15", source }, "test");
    const first = await materialiseSegment(deps(), tenantId, segment.id, now);
    expect(first).toMatchObject({ refresh: 1, members: 2, entered: 2, left: 0 });

    // Dave's refund takes him under 1500; a new sale takes Erin over it.
    await analytics.insertTransactions([
      fact(tenantId, people.dave, now, { daysAgo: 1, total: 500, kind: "refund" }),
      fact(tenantId, people.erin, now, { daysAgo: 1, total: 1000 }),
    ]);
    const [a, b] = await Promise.all([
      materialiseSegment(deps(), tenantId, segment.id, now),
      materialiseSegment(deps(), tenantId, segment.id, now),
    ]);
    expect([a.entered + b.entered, a.left + b.left]).toEqual([1, 1]);
    const third = await materialiseSegment(deps(), tenantId, segment.id, now);
    expect(third).toMatchObject({ refresh: 4, members: 2, entered: 0, left: 0 });

    const changed = a.entered ? a : b;
    expect(await events(segment.id)).toEqual(
      [
        `segment.entered:${people.alice}:1`,
        `segment.entered:${people.dave}:1`,
        `segment.entered:${people.erin}:${changed.refresh}`,
        `segment.left:${people.dave}:${changed.refresh}`,
      ].sort(),
    );
    const page = await listMembers(db, tenantId, segment.id, { limit: 10 });
    expect(page.members.map((m) => m.customerId).sort()).toEqual([people.alice, people.erin].sort());
    const stored = await db.segment.findUniqueOrThrow({ where: { id: segment.id } });
    expect(stored).toMatchObject({ refreshes: 4, memberCount: 2 });
  });

  it("a refresh that asked ClickHouse before a later one committed applies nothing over it", async () => {
    const source = definition({ all: [{ type: "order_value", window: "30d", op: "gte", value: 1500 }] });
    const segment = await createSegment(db, tenantId, { name: "Spent 15, late", source }, "test");
    const later = await materialiseSegment(deps(), tenantId, segment.id, now);
    expect(later).toMatchObject({ refresh: 1, entered: later.members });
    // As of an hour before: what it would say is older than what the segment says already.
    const stale = await materialiseSegment(deps(), tenantId, segment.id, new Date(now.getTime() - 3_600_000));
    expect(stale).toMatchObject({ superseded: true, refresh: 1, members: later.members, entered: 0, left: 0 });
    const stored = await db.segment.findUniqueOrThrow({ where: { id: segment.id } });
    expect(stored).toMatchObject({ refreshes: 1, refreshedAt: now });
    expect((await events(segment.id)).every((e) => e.endsWith(":1"))).toBe(true);
  });

  it("refreshes only segments whose interval has passed", async () => {
    const source = definition({ all: [{ type: "tier_in", tiers: ["gold"] }] });
    const hourly = await createSegment(db, tenantId, { name: "Gold", source, refreshIntervalMinutes: 60 }, "test");
    expect(await dueSegments(db, tenantId, now)).toContain(hourly.id);
    await refreshDueSegments({ db, analytics, tenantId, now });
    expect(await dueSegments(db, tenantId, now)).not.toContain(hourly.id);
    expect(await dueSegments(db, tenantId, new Date(now.getTime() + 61 * 60_000))).toContain(hourly.id);
  });
});

describe("tenant isolation", () => {
  it("never puts another tenant's customers in a segment, even with the same ids and facts", async () => {
    const other = await testTenant(db, "Other", timezone);
    const twin = await addCustomer(db, analytics, { tenantId: other.tenantId, timezone }, now, { tier: "gold" });
    // The other tenant's facts and snapshot name this tenant's customer ids too.
    const aliceThere = { tenantId: other.tenantId, customerId: people.alice };
    await analytics.client.insert({
      table: `${analytics.database}.customers`,
      format: "JSONEachRow",
      values: [
        {
          tenant_id: other.tenantId,
          customer_id: people.alice,
          tier: "gold",
          created_at: "2020-01-01 00:00:00",
          version: 1,
        },
      ],
    });
    await analytics.insertTransactions(
      [1, 2, 3].map((d) => fact(aliceThere.tenantId, aliceThere.customerId, now, { daysAgo: d, total: 100 })),
    );
    const lots = definition({ all: [{ type: "orders_count", window: "30d", op: "gte", value: 5 }] });
    expect((await previewSegment(deps(), tenantId, lots, now)).members).toBe(0);

    const gold = definition({ all: [{ type: "tier_in", tiers: ["gold"] }] });
    const theirs = await createSegment(db, other.tenantId, { name: "Gold", source: gold }, "test");
    const refreshed = await materialiseSegment(deps(), other.tenantId, theirs.id, now);
    expect(refreshed.members).toBe(1);
    const page = await listMembers(db, other.tenantId, theirs.id, { limit: 10 });
    expect(page.members.map((m) => m.customerId)).toEqual([twin]);
    await expect(listMembers(db, tenantId, theirs.id, { limit: 10 })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("raw SQL segments", () => {
  it("runs the analyst's query over the tenant's facts and keeps the tenant's own customers", async () => {
    const sql = "SELECT customer_id FROM transactions WHERE type = 'sale' GROUP BY customer_id HAVING count() >= 2";
    await checkSegmentSql(analytics, tenantId, sql);
    const preview = await previewSegment(deps(), tenantId, { kind: "sql", sql }, now);
    expect(preview.members).toBeGreaterThanOrEqual(2);
    expect(preview.sample.map((m) => m.customerId)).toEqual(expect.arrayContaining([people.alice, people.dave]));

    const stranger = "SELECT 'cus_somebody_elses' AS customer_id";
    const segment = await createSegment(db, tenantId, { name: "Literal", source: { kind: "sql", sql: stranger } }, "t");
    expect((await materialiseSegment(deps(), tenantId, segment.id, now)).members).toBe(0);
  });

  it("refuses a query that reads outside the allowed tables or returns no customer_id", async () => {
    for (const sql of [
      "SELECT customer_id FROM customers",
      "SELECT name AS customer_id FROM system.tables",
      "SELECT customer_id FROM file('x.csv')",
    ]) {
      await expect(checkSegmentSql(analytics, tenantId, sql)).rejects.toBeInstanceOf(AnalystSqlRefused);
    }
    await expect(checkSegmentSql(analytics, tenantId, "SELECT id FROM transactions")).rejects.toSatisfy(
      (e) => e instanceof DomainError && e.code === "invalid_request" && /customer_id/.test(e.message),
    );
  });
});

describe("customer snapshots", () => {
  it("writes a customer seen in facts once, and again whenever their attributes change", async () => {
    const id = `cus_seen_${Date.now()}`;
    await db.customer.create({ data: { id, tenantId, createdVia: "pos", createdAt: ago(now, 1) } });
    const seen = [{ tenantId, customerId: id }];
    expect(await snapshotCustomers(db, analytics, { changed: [], seen })).toBe(1);
    expect(await snapshotCustomers(db, analytics, { changed: [], seen })).toBe(0);
    await db.customerLoyalty.create({ data: { customerId: id, tenantId, tier: "silver" } });
    expect(await snapshotCustomers(db, analytics, { changed: seen, seen })).toBe(1);
    const members = await previewSegment(
      deps(),
      tenantId,
      definition({ all: [{ type: "tier_in", tiers: ["silver"] }] }),
      now,
    );
    expect(members.sample.map((m) => m.customerId).sort()).toEqual([people.bob, id].sort());
  });

  it("never writes an erased customer, even when a fact of theirs arrives after the erasure", async () => {
    const id = `cus_erased_${Date.now()}`;
    await db.customer.create({ data: { id, tenantId, createdVia: "pos", createdAt: ago(now, 1), erasedAt: now } });
    const refs = [{ tenantId, customerId: id }];
    expect(await snapshotCustomers(db, analytics, { changed: refs, seen: refs })).toBe(0);
  });
});
