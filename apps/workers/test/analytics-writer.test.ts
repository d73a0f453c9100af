import { randomBytes } from "node:crypto";
import { publishMany } from "@regulars/bus";
import type { TransactionProcessed } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testAnalytics, testBus, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// One tenant's fact that ClickHouse can never take must not hold back, or dead-letter, anyone else's:
// the batch it arrives in is written message by message and only that fact is dead-lettered.

let bus: Awaited<ReturnType<typeof testBus>>;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let db: Db;
let workers: RunningWorkers;

beforeAll(async () => {
  bus = await testBus();
  analytics = await testAnalytics();
  db = testDb();
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await analytics?.dispose();
  await db?.$disconnect();
});

function processed(
  tenantId: string,
  n: number,
  occurredAt = new Date(Date.now() - 60_000).toISOString(),
): TransactionProcessed {
  return {
    type: "transaction.processed",
    id: `processed:${tenantId}:${n}`,
    tenantId,
    transactionId: `tx_${tenantId}_${n}`,
    externalId: `E-${n}`,
    kind: "sale",
    refundOf: null,
    occurredAt,
    locationId: "store-1",
    channel: "pos",
    customerId: null,
    currency: "EUR",
    total: 1000,
    discountTotal: 0,
    points: 10,
    lines: [
      {
        lineNo: 1,
        sku: "MEAL",
        name: "Meal",
        category: null,
        tags: [],
        quantity: 1,
        unitPrice: 1000,
        discount: 0,
        amount: 1000,
      },
    ],
  };
}

it("writes every other tenant's facts and dead-letters only the fact ClickHouse cannot take", async () => {
  const a = `ten_a${randomBytes(3).toString("hex")}`;
  const b = `ten_b${randomBytes(3).toString("hex")}`;
  // A time without an offset passes the contract (a plain string) but is refused on the way into ClickHouse.
  const events = [
    processed(a, 1),
    processed(b, 1),
    processed(b, 2, "2026-11-26 12:00:00"),
    processed(a, 2),
    processed(b, 3),
  ];
  await publishMany(
    bus.js,
    events.map((e) => ({ subject: bus.topology.subjects.domain(e.tenantId, e.type), payload: e, msgId: e.id })),
  );

  workers = await startWorkers({
    db,
    bus,
    analytics,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["analytics"],
    maxDeliver: 2,
    backoffMs: () => 50,
  });
  await eventually("every good fact in ClickHouse", async () =>
    (await analytics.countTransactions(a)) === 2 && (await analytics.countTransactions(b)) === 2 ? true : undefined,
  );
  const letters = await eventually("the bad fact dead-lettered", async () => {
    const info = await bus.jsm.streams.info(bus.topology.streams.deadLetter);
    return info.state.messages === 1
      ? (await bus.jsm.streams.getMessage(bus.topology.streams.deadLetter, { seq: info.state.last_seq }))!.json<{
          reason: string;
          payload: string;
        }>()
      : undefined;
  });
  expect(JSON.parse(letters.payload)).toMatchObject({ tenantId: b, id: `processed:${b}:2` });
  expect(letters.reason).toMatch(/^gave up after 2 deliveries: Invalid timestamp/);
  expect(await analytics.getTransaction(b, `tx_${b}_2`)).toBeNull();
  expect(workers.consumers()).toEqual([
    { consumer: "analytics-writer", status: "running" },
    { consumer: "loyalty-events-writer", status: "running" },
    { consumer: "customer-snapshot-writer", status: "running" },
  ]);
});
