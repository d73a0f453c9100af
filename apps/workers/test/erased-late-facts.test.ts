import type { LoyaltyEvent, TransactionProcessed } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { isPseudonym } from "@regulars/ids";
import { clickhouseTextHits, eraseCustomer } from "@regulars/privacy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { createEndpoint } from "@regulars/webhooks-store";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeFactsBatch } from "../src/analytics/write-facts.ts";
import { writeLoyaltyEventsBatch } from "../src/analytics/write-loyalty-events.ts";
import { writeProfileOrdersBatch } from "../src/profiles/write-profile-orders.ts";
import { fanOutBatch } from "../src/webhooks/fan-out.ts";

// Events published before an erasure may be read long after its sweep ended (the domain stream keeps unread events
// 30 days, dead letters are replayed as late): written under the real id, they would stay for good.

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

const rows = async <T>(query: string, params: Record<string, unknown>) =>
  (await analytics.client.query({ query, query_params: params, format: "JSONEachRow" })).json<T>();

it("writes an erased customer's late sales and points under a pseudonym, once, and nothing else of them", async () => {
  const { tenantId } = await testTenant(db, "Late Facts");
  const now = new Date();
  const stamp = now.getTime().toString(36);
  const customerId = `cus_latefacts${stamp}`;
  const email = `late.${stamp}@example.org`;
  await db.$executeRaw`
    INSERT INTO customers (id, tenant_id, name, email, created_via) VALUES (${customerId}, ${tenantId}, 'Ann Late', ${email}, 'app')`;
  const occurredAt = new Date(now.getTime() - 3_600_000).toISOString();
  const sale: TransactionProcessed = {
    type: "transaction.processed",
    id: `processed:late:${stamp}`,
    tenantId,
    transactionId: `tx_late_${stamp}`,
    externalId: `LATE-${stamp}`,
    kind: "sale",
    refundOf: null,
    occurredAt,
    locationId: "store-1",
    channel: "pos",
    customerId,
    currency: "EUR",
    total: 1200,
    discountTotal: 0,
    points: 12,
    lines: [
      {
        lineNo: 0,
        sku: "MEAL",
        name: "Meal",
        category: null,
        tags: [],
        quantity: 1,
        unitPrice: 1200,
        discount: 0,
        amount: 1200,
      },
    ],
  };
  const viewed = {
    type: "event.recorded" as const,
    id: `event.recorded:late:${stamp}`,
    tenantId,
    eventId: `ev_late_${stamp}`,
    eventType: "profile_viewed",
    occurredAt,
    customerId,
    locationId: null,
    channel: "app",
    properties: { email },
  };
  const earned: LoyaltyEvent = {
    type: "points.earned",
    id: `points.earned:late:${stamp}`,
    tenantId,
    customerId,
    occurredAt,
    points: 12,
    movementKind: "earn",
    transactionId: sale.transactionId,
    pending: false,
    balance: 12,
  };

  // The sale reached ClickHouse before the erasure; its event is delivered again after the sweep.
  await writeFactsBatch(db, analytics, [sale]);
  await eraseCustomer({ db, analytics }, tenantId, customerId, { actor: "key_admin", cause: "request", now });
  expect(await clickhouseTextHits(analytics, [email, customerId])).toEqual([]);

  // A second sale, published before the erasure too, first read now.
  const late = {
    ...sale,
    id: `processed:late2:${stamp}`,
    transactionId: `tx_late2_${stamp}`,
    externalId: `LATE2-${stamp}`,
  };
  await writeFactsBatch(db, analytics, [sale, late, viewed]);
  await writeLoyaltyEventsBatch(db, analytics, [earned]);
  await writeProfileOrdersBatch(db, [sale, late], analytics);

  expect(await clickhouseTextHits(analytics, [email, customerId])).toEqual([]);
  const db_ = analytics.database;
  const sales = await rows<{ customer_id: string }>(
    `SELECT customer_id FROM ${db_}.transactions WHERE tenant_id = {t:String} AND id = {id:String}`,
    { t: tenantId, id: sale.transactionId },
  );
  expect(sales).toHaveLength(1);
  expect(isPseudonym(sales[0]!.customer_id)).toBe(true);
  const lateSales = await rows<{ customer_id: string }>(
    `SELECT customer_id FROM ${db_}.transactions WHERE tenant_id = {t:String} AND id = {id:String}`,
    { t: tenantId, id: late.transactionId },
  );
  expect(lateSales.map((r) => isPseudonym(r.customer_id))).toEqual([true]);
  const events = await rows(`SELECT id FROM ${db_}.events WHERE tenant_id = {t:String}`, { t: tenantId });
  expect(events).toEqual([]);
  const points = await rows<{ customer_id: string }>(
    `SELECT customer_id FROM ${db_}.loyalty_events WHERE tenant_id = {t:String} AND id = {id:String}`,
    { t: tenantId, id: earned.id },
  );
  expect(points.map((p) => isPseudonym(p.customer_id))).toEqual([true]);
  const profile = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM profile_orders WHERE tenant_id = ${tenantId}`;
  expect(profile[0]?.n).toBe(0n);
}, 180_000);

it("sends an erased customer's late points under a pseudonym to webhooks, and the erasure notice as it is", async () => {
  const { tenantId } = await testTenant(db, "Late Webhooks");
  await createEndpoint(db, tenantId, { url: "http://127.0.0.1:9/hook", eventTypes: ["*"] }, "key_test", {
    allowPrivateNetworks: true,
  });
  const now = new Date();
  const stamp = now.getTime().toString(36);
  const customerId = `cus_latehooks${stamp}`;
  await db.$executeRaw`
    INSERT INTO customers (id, tenant_id, name, created_via) VALUES (${customerId}, ${tenantId}, 'Ann Hook', 'app')`;
  const occurredAt = new Date(now.getTime() - 3_600_000).toISOString();
  const earned = {
    type: "points.earned",
    id: `points.earned:hook:${stamp}`,
    tenantId,
    customerId,
    occurredAt,
    points: 5,
    movementKind: "earn",
    transactionId: null,
    pending: false,
    balance: 5,
  };
  const tier = { type: "tier.changed", id: `tier.changed:hook:${stamp}`, tenantId, customerId, occurredAt };
  const erased = await eraseCustomer({ db }, tenantId, customerId, { actor: "key_admin", cause: "request", now });
  const notice = erased.outbox[0]!.payload as { type: string; id: string; tenantId: string; occurredAt: string };

  await fanOutBatch(db, [earned, tier, notice]);
  const sent = await db.$queryRaw<{ event_type: string; payload: { data: { customerId: string } } }[]>`
    SELECT event_type, payload FROM webhook_deliveries WHERE tenant_id = ${tenantId} ORDER BY event_type`;
  expect(sent.map((d) => d.event_type)).toEqual(["customer.erased", "points.earned"]);
  expect(sent[0]!.payload.data.customerId).toBe(customerId);
  expect(isPseudonym(sent[1]!.payload.data.customerId)).toBe(true);
}, 120_000);
