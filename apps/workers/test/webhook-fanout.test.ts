import { type DeadLetterInfo, publishMany } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testBus, testDb, testTenant } from "@regulars/testing";
import { createEndpoint, listDeliveries } from "@regulars/webhooks-store";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";
import { type Receiver, startReceiver } from "./webhook-receiver.ts";

// The webhooks worker end to end over JetStream: domain events fan out to the endpoints that subscribe to them,
// once however often the stream delivers an event, never to another tenant's endpoint; what is not theirs to see
// (behavioural events, other types) is passed over; an unreadable event is dead-lettered with the reason.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let workers: RunningWorkers;
let receiver: Receiver;
let otherReceiver: Receiver;
const letters: DeadLetterInfo[] = [];

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
  receiver = await startReceiver();
  otherReceiver = await startReceiver();
});
afterAll(async () => {
  await workers?.stop();
  await receiver?.close();
  await otherReceiver?.close();
  await bus?.dispose();
  await db?.$disconnect();
});

it("delivers each subscribed event once to its own tenant's endpoints, and only those", async () => {
  const tenant = await testTenant(db, "Fan Out Grill");
  const other = await testTenant(db, "Other Fan Out Grill");
  const local = { allowPrivateNetworks: true };
  await createEndpoint(
    db,
    tenant.tenantId,
    { url: receiver.url, eventTypes: ["tier.changed", "coupon.*"] },
    "key_t",
    local,
  );
  await createEndpoint(db, other.tenantId, { url: otherReceiver.url, eventTypes: ["*"] }, "key_o", local);

  const occurredAt = new Date().toISOString();
  const base = { tenantId: tenant.tenantId, customerId: "cus_fanout", occurredAt };
  const tierChanged = {
    ...base,
    type: "tier.changed",
    id: "tier:1",
    from: null,
    to: "gold",
    direction: "up",
    qualifyingValue: 500,
  };
  const couponIssued = {
    ...base,
    type: "coupon.issued",
    id: "coupon:1",
    campaignId: "cpn_1",
    code: "WELCOME",
    source: "campaign",
  };
  const messages = [
    { payload: tierChanged, msgId: "m1" },
    { payload: couponIssued, msgId: "m2" },
    { payload: { ...base, type: "points.earned", id: "earn:1", points: 5 }, msgId: "m3" }, // not subscribed
    { payload: { ...base, type: "event.recorded", id: "ev:1", properties: { email: "a@b.c" } }, msgId: "m4" },
    { payload: { ...base, type: "coupon.redeemed", id: "" }, msgId: "m5" }, // no id: dead-lettered
    // Published again by the outbox relay after JetStream's duplicate window: a second message, one delivery.
    { payload: tierChanged, msgId: "m6" },
  ];
  await publishMany(
    bus.js,
    messages.map(({ payload, msgId }) => ({
      subject: bus.topology.subjects.domain(tenant.tenantId, payload.type),
      payload,
      msgId,
    })),
  );
  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["webhooks"],
    webhooks: { urlPolicy: local, pollMs: 100, tenantIds: [tenant.tenantId, other.tenantId] },
    onDeadLetter: async (info) => {
      letters.push(info);
    },
  });

  await eventually("both deliveries received", async () => (receiver.received.length >= 2 ? true : undefined));
  await new Promise((r) => setTimeout(r, 500)); // time for a duplicate to show, were there one
  expect(receiver.received.map((r) => JSON.parse(r.body).data.id).sort()).toEqual(["coupon:1", "tier:1"]);
  expect(otherReceiver.received).toEqual([]);
  const deliveries = (await listDeliveries(db, tenant.tenantId, { limit: 10 })).items;
  expect(deliveries.map((d) => [d.eventId, d.status])).toEqual(
    expect.arrayContaining([
      ["tier:1", "delivered"],
      ["coupon:1", "delivered"],
    ]),
  );
  expect(deliveries).toHaveLength(2);
  expect((await listDeliveries(db, other.tenantId, { limit: 10 })).items).toEqual([]);
  expect(letters.map((l) => [l.consumer, l.category])).toEqual([["webhook-fanout", "invalid_payload"]]);
  expect(workers.consumers()).toEqual([{ consumer: "webhook-fanout", status: "running" }]);
});
