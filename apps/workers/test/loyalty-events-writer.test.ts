import { randomBytes } from "node:crypto";
import { pointsOverTime } from "@regulars/analytics";
import { consumerBacklog, type DeadLetterInfo, publishMany } from "@regulars/bus";
import type { DomainEvent, LoyaltyEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testAnalytics, testBus, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// The loyalty events writer: it stores every loyalty event of the domain stream once, passes over the other
// domain events, and dead-letters a loyalty event it cannot read, with the fields at fault.

let bus: Awaited<ReturnType<typeof testBus>>;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let db: Db;
let workers: RunningWorkers;
const letters: DeadLetterInfo[] = [];

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

const tenant = `ten_${randomBytes(3).toString("hex")}`;
const base = (id: string, occurredAt = "2024-05-02T10:00:00Z") => ({
  id,
  tenantId: tenant,
  customerId: "cus_1",
  occurredAt,
});
const earned = (id: string, points: number, occurredAt?: string): LoyaltyEvent => ({
  ...base(id, occurredAt),
  type: "points.earned",
  points,
  movementKind: "earn",
  transactionId: "tx_1",
  pending: false,
  balance: points,
});

it("stores loyalty events once, passes over other domain events and dead-letters only what it cannot read", async () => {
  const redeemed: LoyaltyEvent = {
    ...base("redeem:1"),
    type: "points.redeemed",
    points: 30,
    transactionId: null,
    balance: 70,
  };
  const processed: DomainEvent = {
    type: "transaction.processed",
    id: "processed:1",
    tenantId: tenant,
    transactionId: "tx_1",
    externalId: "E-1",
    kind: "sale",
    refundOf: null,
    occurredAt: "2024-05-02T10:00:00Z",
    locationId: "store-1",
    channel: "pos",
    customerId: "cus_1",
    currency: "EUR",
    total: 1000,
    discountTotal: 0,
    points: 100,
    lines: [],
  };
  const messages: { payload: Record<string, unknown>; msgId: string }[] = [
    { payload: earned("earn:1", 100), msgId: "m1" },
    { payload: processed, msgId: "m2" },
    { payload: { ...earned("earn:bad", 5), points: "five" }, msgId: "m3" },
    { payload: earned("earn:local-time", 7, "2024-05-02 10:00:00"), msgId: "m4" },
    { payload: redeemed, msgId: "m5" },
    // Published again by the outbox relay after JetStream's duplicate window: a second message, one event.
    { payload: earned("earn:1", 100), msgId: "m6" },
  ];
  await publishMany(
    bus.js,
    messages.map(({ payload, msgId }) => ({
      subject: bus.topology.subjects.domain(tenant, String(payload.type)),
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
    enabled: ["analytics"],
    onDeadLetter: async (info) => {
      letters.push(info);
    },
  });
  const { streams, consumers } = bus.topology;
  await eventually("the loyalty events writer caught up", async () =>
    (await consumerBacklog(bus, streams.domain, consumers.loyaltyEventsWriter)) === 0 ? true : undefined,
  );

  const points = await pointsOverTime(analytics, {
    tenantId: tenant,
    timezone: "Europe/Warsaw",
    from: "2024-05-01",
    to: "2024-05-31",
    granularity: "month",
  });
  expect(points.totals).toEqual({
    earned: 100,
    reversed: 0,
    redeemed: 30,
    returned: 0,
    expired: 0,
    redemptionRate: 0.3,
  });

  const mine = letters.filter((l) => l.consumer === consumers.loyaltyEventsWriter);
  expect(mine.map((l) => [JSON.parse(l.payload).id, l.category, l.reason])).toEqual([
    ["earn:bad", "invalid_payload", expect.stringMatching(/^payload does not match the contract: points: /)],
    [
      "earn:local-time",
      "invalid_payload",
      "payload does not match the contract: occurredAt: must be ISO 8601 with an offset",
    ],
  ]);
  expect(workers.consumers()).toEqual([
    { consumer: "analytics-writer", status: "running" },
    { consumer: "loyalty-events-writer", status: "running" },
    { consumer: "customer-snapshot-writer", status: "running" },
  ]);
});
