import { consumerBacklog, type DeadLetterInfo, publishMany } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testAnalytics, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// The customer snapshot writer: customer, consent and tier events write the customer's current attributes to
// ClickHouse's `customers` table; a sale of a customer ClickHouse has no row for writes one; nothing personal
// goes there; an unreadable event is dead-lettered with the reason.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let workers: RunningWorkers;
const letters: DeadLetterInfo[] = [];
const now = new Date();

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await analytics?.dispose();
  await db?.$disconnect();
});

it("snapshots customers whose attributes changed and customers first seen in facts, without personal data", async () => {
  const { tenantId } = await testTenant(db, "Snapshot Writer");
  const stamp = now.getTime().toString(36);
  const registered = `cus_snapapp${stamp}`;
  const tillOnly = `cus_snaptill${stamp}`;
  await db.customer.create({
    data: { id: registered, tenantId, createdVia: "app", email: "ann@example.com", phone: "+48600100200" },
  });
  await db.customer.create({ data: { id: tillOnly, tenantId, createdVia: "pos" } });
  await db.customerLoyalty.create({ data: { customerId: registered, tenantId, tier: "gold" } });
  await db.customerConsent.create({
    data: {
      id: `evt_consent${stamp}`,
      tenantId,
      customerId: registered,
      channel: "email",
      purpose: "marketing",
      granted: true,
      source: "app",
      occurredAt: now,
    },
  });
  const at = now.toISOString();
  const payloads: Record<string, unknown>[] = [
    { type: "customer.created", id: "c1", tenantId, customerId: registered, occurredAt: at, via: "app", fields: [] },
    { type: "tier.changed", id: "t1", tenantId, customerId: registered, occurredAt: at, from: null, to: "gold" },
    { type: "transaction.processed", id: "p1", tenantId, customerId: tillOnly, occurredAt: at },
    { type: "transaction.processed", id: "p2", tenantId, customerId: null, occurredAt: at },
    { type: "consent.changed", id: "x1", tenantId, occurredAt: at },
    { type: "points.earned", id: "e1", tenantId, customerId: registered, occurredAt: at },
  ];
  await publishMany(
    bus.js,
    payloads.map((payload, i) => ({
      subject: bus.topology.subjects.domain(tenantId, String(payload.type)),
      payload,
      msgId: `m${i}`,
    })),
  );
  workers = await startWorkers({
    db,
    bus,
    analytics,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["analytics"],
    onDeadLetter: async (info) => {
      letters.push(info);
    },
  });
  const { streams, consumers } = bus.topology;
  await eventually("the snapshot writer caught up", async () =>
    (await consumerBacklog(bus, streams.domain, consumers.customerSnapshotWriter)) === 0 ? true : undefined,
  );

  const result = await analytics.client.query({
    query: `SELECT * EXCEPT (version) FROM ${analytics.database}.customers FINAL WHERE tenant_id = {t:String} ORDER BY customer_id`,
    query_params: { t: tenantId },
    format: "JSONEachRow",
  });
  const rows = await result.json<Record<string, unknown>>();
  expect(rows.map((r) => [r.customer_id, r.tier, r.consents, r.has_email, r.has_phone])).toEqual([
    [registered, "gold", ["email:marketing"], true, true],
    [tillOnly, "", [], false, false],
  ]);
  expect(JSON.stringify(rows)).not.toMatch(/ann@example|600100200/);
  expect(letters.filter((l) => l.consumer === "customer-snapshot-writer").map((l) => JSON.parse(l.payload).id)).toEqual(
    ["x1"],
  );
});
