import type { TransactionFact } from "@regulars/analytics";
import type { DomainEvent, LoyaltyEvent, TransactionProcessed } from "@regulars/contracts";
import { mergeCustomer } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { evaluateSegment } from "@regulars/segments-store";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeUnderSurvivors } from "../src/analytics/survivors.ts";
import { writeFactsBatch } from "../src/analytics/write-facts.ts";
import { writeLoyaltyEventsBatch } from "../src/analytics/write-loyalty-events.ts";
import { CustomerSnapshotMessage, writeCustomerSnapshotsBatch } from "../src/segments/write-customer-snapshots.ts";

// A merge moves a till's customer's sales to the app account in Postgres. ClickHouse, where segments count each
// customer_id's orders, follows when the customer snapshot writer reads the merge's customer.updated event: the
// merged customer's facts go to the survivor and its own row goes, so it is nobody's member any more. Facts of the
// merged customer that the writers read after the merge land on the survivor.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";
// A fixed clock: the facts, the merge and the segments' windows never depend on the day the test runs.
const at = new Date("2025-03-10T12:00:00.000Z");
const stamp = Date.now().toString(36);
let n = 0;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

async function newCustomer(tenantId: string, createdVia: "pos" | "app"): Promise<string> {
  const id = `cus_merge${createdVia}${stamp}${++n}`;
  await db.customer.create({ data: { id, tenantId, createdVia } });
  return id;
}

function sale(tenantId: string, customerId: string, minutes: number): TransactionProcessed {
  const id = `tx_merge_${stamp}_${++n}`;
  return {
    type: "transaction.processed",
    id: `processed:${id}`,
    tenantId,
    transactionId: id,
    externalId: id,
    kind: "sale",
    refundOf: null,
    occurredAt: new Date(at.getTime() + minutes * 60_000).toISOString(),
    locationId: "store-1",
    channel: "pos",
    customerId,
    currency: "EUR",
    total: 900,
    discountTotal: 0,
    points: 9,
    lines: [
      { lineNo: 0, sku: "VB", name: "Veggie", category: null, tags: ["vegetarian"], quantity: 1, unitPrice: 900 },
    ].map((l) => ({ ...l, discount: 0, amount: 900 })),
  };
}

const toFact = ({ transactionId, kind, type: _, id: __, ...rest }: TransactionProcessed): TransactionFact => ({
  ...rest,
  transactionId,
  type: kind,
});

const appOpened = (tenantId: string, customerId: string): DomainEvent => ({
  type: "event.recorded",
  id: `recorded:${stamp}${++n}`,
  tenantId,
  eventId: `evt_${stamp}${n}`,
  eventType: "app.opened",
  occurredAt: at.toISOString(),
  customerId,
  locationId: null,
  channel: "app",
  properties: {},
});

const earned = (tenantId: string, customerId: string): LoyaltyEvent => ({
  type: "points.earned",
  id: `earned:${stamp}${++n}`,
  tenantId,
  customerId,
  occurredAt: at.toISOString(),
  points: 9,
  movementKind: "earn",
  transactionId: null,
  pending: false,
  balance: 9,
});

/** What the three ClickHouse writers do with a batch they read from the domain stream. */
async function deliver(events: DomainEvent[]) {
  await writeFactsBatch(db, analytics, events);
  await writeLoyaltyEventsBatch(
    db,
    analytics,
    events.filter((e): e is LoyaltyEvent => e.type === "points.earned"),
  );
  await writeCustomerSnapshotsBatch(
    db,
    analytics,
    events.map((e) => CustomerSnapshotMessage.parse(e)),
  );
}

/** Merges in Postgres as the app does; answers the customer.updated event it put in the outbox. */
async function merge(tenantId: string, fromId: string, intoId: string): Promise<DomainEvent> {
  await withTransaction(db, (tx) =>
    mergeCustomer(tx, tenantId, fromId, intoId, { actor: null, source: "app", now: at }),
  );
  const [row] = await db.$queryRaw<{ payload: DomainEvent }[]>`
    SELECT payload FROM outbox_events WHERE tenant_id = ${tenantId} AND type = 'customer.updated'
      AND payload->>'mergedCustomerId' = ${fromId}`;
  return row!.payload;
}

/** Every ClickHouse row naming the customer, over every table with a customer_id (FINAL or not). */
async function rowsOf(tenantId: string, customerId: string): Promise<Record<string, number>> {
  const tables = ["transactions", "transaction_lines", "events", "loyalty_events", "customers"];
  const out: Record<string, number> = {};
  for (const table of tables) {
    const result = await analytics.client.query({
      query: `SELECT count() AS n FROM ${analytics.database}.${table} WHERE tenant_id = {t:String} AND customer_id = {c:String}`,
      query_params: { t: tenantId, c: customerId },
      format: "JSONEachRow",
    });
    const [row] = await result.json<{ n: string }>();
    out[table] = Number(row?.n ?? 0);
  }
  return out;
}

/** Members of "at least `orders` orders in the last 30 days", as segments evaluate it the next day. */
const members = (tenantId: string, orders: number) =>
  evaluateSegment(
    analytics,
    { kind: "definition", definition: { all: [{ type: "orders_count", window: "30d", op: "gte", value: orders }] } },
    { tenantId, timezone, now: new Date(at.getTime() + 86_400_000) },
  ).then((ids) => ids.sort());

it("moves the merged customer's facts to the survivor, whose 2 orders make it a member; the merged id is gone", async () => {
  const { tenantId } = await testTenant(db, "Merge Facts", timezone);
  const { tenantId: otherTenant } = await testTenant(db, "Merge Facts Other", timezone);
  const [till, app] = [await newCustomer(tenantId, "pos"), await newCustomer(tenantId, "app")];
  await deliver([sale(tenantId, till, 0), appOpened(tenantId, till), earned(tenantId, till)]);
  // Another tenant's row naming the same id (ids are only ever looked up per tenant): the merge leaves it be.
  await writeFactsBatch(db, analytics, [sale(otherTenant, till, 0)]);
  expect(await members(tenantId, 0)).toEqual([till]);

  const merged = await merge(tenantId, till, app);
  await deliver([sale(tenantId, app, 60)]);
  await deliver([merged]);

  expect(await analytics.countTransactions(tenantId, { customerId: app })).toBe(2);
  expect(await rowsOf(tenantId, till)).toEqual({
    transactions: 0,
    transaction_lines: 0,
    events: 0,
    loyalty_events: 0,
    customers: 0,
  });
  const survivor = await rowsOf(tenantId, app);
  expect(survivor).toMatchObject({ transactions: 2, transaction_lines: 2, events: 1, loyalty_events: 1 });
  expect(await members(tenantId, 2)).toEqual([app]);
  expect(await members(tenantId, 0)).toEqual([app]);
  expect(await analytics.countTransactions(otherTenant, { customerId: till })).toBe(1);

  // Redelivered: nothing left to move, no fact written twice (the survivor's snapshot is written again, a newer
  // version of the same state that replaces the older).
  await deliver([merged]);
  expect(await rowsOf(tenantId, app)).toEqual({ ...survivor, customers: expect.any(Number) });
  expect(await rowsOf(tenantId, till)).toMatchObject({ transactions: 0, customers: 0 });
  expect(await members(tenantId, 2)).toEqual([app]);
});

it("puts facts of the merged customer read after the merge on the survivor, and counts each once", async () => {
  const { tenantId } = await testTenant(db, "Merge Late Facts", timezone);
  const [till, app] = [await newCustomer(tenantId, "pos"), await newCustomer(tenantId, "app")];
  const first = sale(tenantId, till, 0);
  await deliver([first]);
  const merged = await merge(tenantId, till, app);
  await deliver([merged]);
  // Published before the merge, read after it: a sale, its redelivery, an app event and points.
  await deliver([sale(tenantId, till, 30), first, appOpened(tenantId, till), earned(tenantId, till)]);

  expect(await analytics.countTransactions(tenantId, { customerId: app })).toBe(2);
  expect(await rowsOf(tenantId, till)).toEqual({
    transactions: 0,
    transaction_lines: 0,
    events: 0,
    loyalty_events: 0,
    customers: 0,
  });
  expect(await members(tenantId, 2)).toEqual([app]);
  expect(await members(tenantId, 0)).toEqual([app]);
});

it("counts each fact once when a move crashed between its copy and its delete, and moves late facts of a race", async () => {
  const { tenantId } = await testTenant(db, "Merge Crash", timezone);
  const [till, app] = [await newCustomer(tenantId, "pos"), await newCustomer(tenantId, "app")];
  const first = sale(tenantId, till, 0);
  await deliver([first, appOpened(tenantId, till)]);
  const merged = await merge(tenantId, till, app);
  // The copy landed (the survivor's id, the fact's own sorting key otherwise), the originals' delete did not.
  await analytics.insertTransactions([{ ...toFact(first), customerId: app }]);
  await deliver([merged]);
  expect(await analytics.countTransactions(tenantId, { customerId: app })).toBe(1);
  expect(await rowsOf(tenantId, till)).toMatchObject({ transactions: 0, transaction_lines: 0, events: 0 });

  // The merge commits while a batch of the merged customer's facts is being written, after the writer looked it up.
  const { tenantId: raceTenant } = await testTenant(db, "Merge Race", timezone);
  const [raceTill, raceApp] = [await newCustomer(raceTenant, "pos"), await newCustomer(raceTenant, "app")];
  await writeUnderSurvivors(db, analytics, [sale(raceTenant, raceTill, 0)], async (facts) => {
    const mergedMeanwhile = await merge(raceTenant, raceTill, raceApp);
    await deliver([mergedMeanwhile]);
    await analytics.insertTransactions(facts.map(toFact));
  });
  expect(await analytics.countTransactions(raceTenant, { customerId: raceApp })).toBe(1);
  expect(await analytics.countTransactions(raceTenant, { customerId: raceTill })).toBe(0);
});
