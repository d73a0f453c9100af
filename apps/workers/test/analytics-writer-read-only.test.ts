import { randomBytes } from "node:crypto";
import type { Analytics } from "@regulars/analytics";
import { publishMany } from "@regulars/bus";
import type { TransactionProcessed } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testAnalytics, testBus, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// A ClickHouse whose Keeper is away answers /ping but refuses every insert into a replicated table: that is
// an outage, so the writer holds its batch until ClickHouse takes it, and dead-letters nothing meanwhile.

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

function processed(tenantId: string, n: number): TransactionProcessed {
  return {
    type: "transaction.processed",
    id: `processed:${tenantId}:${n}`,
    tenantId,
    transactionId: `tx_${tenantId}_${n}`,
    externalId: `E-${n}`,
    kind: "sale",
    refundOf: null,
    occurredAt: new Date(Date.now() - 60_000).toISOString(),
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

it("holds the facts while ClickHouse is read-only but answers /ping, and writes them all once it takes inserts", async () => {
  const tenantId = `ten_ro${randomBytes(3).toString("hex")}`;
  const events = [1, 2, 3, 4].map((n) => processed(tenantId, n));
  await publishMany(
    bus.js,
    events.map((e) => ({ subject: bus.topology.subjects.domain(e.tenantId, e.type), payload: e, msgId: e.id })),
  );
  const keeper = { away: true, refused: 0 };
  // What @clickhouse/client throws for an insert into a replicated table while Keeper is unreachable.
  const readOnly: Analytics = {
    ...analytics,
    ping: () => analytics.ping(),
    async insertTransactions(facts) {
      if (keeper.away) {
        keeper.refused++;
        throw Object.assign(new Error("Table is in readonly mode (replica path: /clickhouse/tables/01/transactions)"), {
          type: "TABLE_IS_READ_ONLY",
          code: "242",
        });
      }
      return analytics.insertTransactions(facts);
    },
  };

  workers = await startWorkers({
    db,
    bus,
    analytics: readOnly,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["analytics"],
    maxDeliver: 2,
    backoffMs: () => 50,
    pauseBackoffMs: () => 100,
  });
  await eventually("the writer to pause on the refusals", async () => {
    const writer = workers.consumers().find((c) => c.consumer === "analytics-writer");
    return keeper.refused >= 6 && writer?.status === "paused" ? writer : undefined;
  });
  const letters = await bus.jsm.streams.info(bus.topology.streams.deadLetter);
  expect(letters.state.messages).toBe(0);
  expect(await analytics.countTransactions(tenantId)).toBe(0);

  keeper.away = false;
  await eventually("every fact in ClickHouse", async () =>
    (await analytics.countTransactions(tenantId)) === 4 ? true : undefined,
  );
  expect((await bus.jsm.streams.info(bus.topology.streams.deadLetter)).state.messages).toBe(0);
  await eventually("the writer running again", async () =>
    workers.consumers().every((c) => c.status === "running") ? true : undefined,
  );
});
