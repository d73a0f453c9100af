import { consumerBacklog, type DeadLetterInfo, publishMany } from "@regulars/bus";
import type { DomainEvent, TransactionProcessed } from "@regulars/contracts";
import { readBehaviourProfile } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testAnalytics, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// The profile writer: every processed transaction of a customer becomes one profile fact in Postgres, once
// however often it is delivered; other domain events pass; an unreadable one is dead-lettered with the reason.
// With ClickHouse, the customer's snapshot there then carries the lifetime sale totals of those facts.

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

it("records processed transactions once, passes over other domain events and dead-letters what it cannot read", async () => {
  const { tenantId } = await testTenant(db, "Profile Writer");
  const customerId = `cus_profilewriter${now.getTime().toString(36)}`;
  await db.$executeRaw`INSERT INTO customers (id, tenant_id, created_via) VALUES (${customerId}, ${tenantId}, 'pos')`;
  const sale = (n: number, total: number, tags: string[] = []): TransactionProcessed => ({
    type: "transaction.processed",
    id: `processed:${n}`,
    tenantId,
    transactionId: `tx_writer_${n}_${now.getTime()}`,
    externalId: `W-${n}`,
    kind: "sale",
    refundOf: null,
    occurredAt: new Date(now.getTime() - n * 60_000).toISOString(),
    locationId: "store-1",
    channel: "kiosk",
    customerId,
    currency: "EUR",
    total,
    discountTotal: 0,
    points: 0,
    lines: [
      {
        lineNo: 0,
        sku: "S",
        name: "S",
        category: null,
        tags,
        quantity: 1,
        unitPrice: total,
        discount: 0,
        amount: total,
      },
    ],
  });
  const other: DomainEvent = {
    type: "points.earned",
    id: "earn:1",
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    points: 10,
    movementKind: "earn",
    transactionId: null,
    pending: false,
    balance: 10,
  };
  const messages: { payload: Record<string, unknown>; msgId: string }[] = [
    { payload: sale(1, 1_000, ["vegetarian"]), msgId: "m1" },
    { payload: other, msgId: "m2" },
    { payload: { ...sale(2, 500), total: "five hundred" }, msgId: "m3" },
    { payload: sale(3, 300), msgId: "m4" },
    // Published again by the outbox relay after JetStream's duplicate window: a second message, one fact.
    { payload: sale(1, 1_000, ["vegetarian"]), msgId: "m5" },
  ];
  await publishMany(
    bus.js,
    messages.map(({ payload, msgId }) => ({
      subject: bus.topology.subjects.domain(tenantId, String(payload.type)),
      payload,
      msgId,
    })),
  );

  workers = await startWorkers({
    db,
    bus,
    analytics,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["profiles"],
    onDeadLetter: async (info) => {
      letters.push(info);
    },
  });
  const { streams, consumers } = bus.topology;
  await eventually("the profile writer caught up", async () =>
    (await consumerBacklog(bus, streams.domain, consumers.profileWriter)) === 0 ? true : undefined,
  );

  expect(await db.profileOrder.count({ where: { tenantId } })).toBe(2);
  const profile = await readBehaviourProfile(db, tenantId, customerId, new Date(now.getTime() + 1_000));
  expect(profile.windows.d7).toEqual({ orders: 2, value: 1_300 });
  expect(profile.affinities).toEqual([{ tag: "vegetarian", share: 0.5 }]);
  expect(profile.preferredChannel).toBe("kiosk");
  const snapshot = await analytics.client.query({
    query: `SELECT item_count, tag_quantities FROM ${analytics.database}.customers FINAL WHERE customer_id = {c:String}`,
    query_params: { c: customerId },
    format: "JSONEachRow",
  });
  expect(await snapshot.json()).toEqual([{ item_count: "2", tag_quantities: { vegetarian: "1" } }]);
  expect(letters.map((l) => [JSON.parse(l.payload).id, l.category, l.consumer])).toEqual([
    ["processed:2", "invalid_payload", "profile-writer"],
  ]);
  expect(workers.consumers()).toEqual([{ consumer: "profile-writer", status: "running" }]);
});
