import type { FactsTarget } from "@regulars/analytics";
import type { DomainEvent, TransactionProcessed } from "@regulars/contracts";
import { mergeCustomer } from "@regulars/customers-store";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { raceWithHeldTransaction, testAnalytics, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeProfileOrdersBatch } from "../src/profiles/write-profile-orders.ts";
import { CustomerSnapshotMessage, writeCustomerSnapshotsBatch } from "../src/segments/write-customer-snapshots.ts";

// The profile writer records a sale, then writes its customer's snapshot to ClickHouse. A merge of that customer
// committing meanwhile must leave the sale on the survivor, in Postgres and in the survivor's snapshot, and no
// snapshot of the merged customer in ClickHouse: there it would be an empty customer back in segments.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const now = new Date();
const stamp = now.getTime().toString(36);
let n = 0;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

async function parties(name: string) {
  const { tenantId } = await testTenant(db, name);
  const customer = async (createdVia: "pos" | "app") => {
    const id = `cus_profilerace${createdVia}${stamp}${++n}`;
    await db.customer.create({ data: { id, tenantId, createdVia } });
    return id;
  };
  return { tenantId, till: await customer("pos"), app: await customer("app") };
}

function sale(tenantId: string, customerId: string): TransactionProcessed {
  const id = `tx_profilerace_${stamp}_${++n}`;
  return {
    type: "transaction.processed",
    id: `processed:${id}`,
    tenantId,
    transactionId: id,
    externalId: id,
    kind: "sale",
    refundOf: null,
    occurredAt: new Date(now.getTime() - 60_000).toISOString(),
    locationId: "store-1",
    channel: "pos",
    customerId,
    currency: "EUR",
    total: 900,
    discountTotal: 0,
    points: 0,
    lines: [
      { lineNo: 0, sku: "VB", name: "Veggie", category: null, tags: ["vegetarian"], quantity: 2, unitPrice: 450 },
    ].map((l) => ({ ...l, discount: 0, amount: 900 })),
  };
}

const mergeOf = (tenantId: string, fromId: string, intoId: string) => (tx: DbTx) =>
  mergeCustomer(tx, tenantId, fromId, intoId, { actor: null, source: "app", now });

/** The merge's customer.updated event, as the customer snapshot writer reads it from the domain stream. */
async function mergeEvent(tenantId: string, fromId: string): Promise<DomainEvent> {
  const [row] = await db.$queryRaw<{ payload: DomainEvent }[]>`
    SELECT payload FROM outbox_events WHERE tenant_id = ${tenantId} AND type = 'customer.updated'
      AND payload->>'mergedCustomerId' = ${fromId}`;
  return row!.payload;
}

/** The customer's rows in ClickHouse's `customers` (FINAL: the snapshot segments read), its item count each. */
async function snapshots(tenantId: string, customerId: string): Promise<number[]> {
  const result = await analytics.client.query({
    query: `SELECT item_count FROM ${analytics.database}.customers FINAL
      WHERE tenant_id = {t:String} AND customer_id = {c:String}`,
    query_params: { t: tenantId, c: customerId },
    format: "JSONEachRow",
  });
  return (await result.json<{ item_count: string }>()).map((r) => Number(r.item_count));
}

describe("the profile writer racing a merge of the sale's customer", () => {
  it("committing while the sale is recorded: the survivor has the sale, in the only snapshot", async () => {
    const { tenantId, till, app } = await parties("Profile Race Recorded");

    await raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      mergeOf(tenantId, till, app),
      () => writeProfileOrdersBatch(db, [sale(tenantId, till)], analytics),
      "the profile writer",
    );

    expect(await db.profileOrder.findMany({ where: { tenantId }, select: { customerId: true } })).toEqual([
      { customerId: app },
    ]);
    expect(await snapshots(tenantId, till)).toEqual([]);
    expect(await snapshots(tenantId, app)).toEqual([2]);
  });

  it("committing before the snapshot lands, moved in ClickHouse first: no merged customer's snapshot", async () => {
    const { tenantId, till, app } = await parties("Profile Race Snapshot");
    // The snapshot is read already; the merge commits and the snapshot writer applies it before the insert lands.
    // Only the first insert (the snapshot's): the writer's later inserts (the merge's re-key pairs) come after it.
    let mergedBefore = false;
    const target: FactsTarget = {
      database: analytics.database,
      client: Object.create(analytics.client, {
        insert: {
          value: async (params: Parameters<FactsTarget["client"]["insert"]>[0]) => {
            if (!mergedBefore) {
              mergedBefore = true;
              await withTransaction(db, mergeOf(tenantId, till, app));
              const merged = CustomerSnapshotMessage.parse(await mergeEvent(tenantId, till));
              await writeCustomerSnapshotsBatch(db, analytics, [merged]);
            }
            return analytics.client.insert(params);
          },
        },
      }),
    };

    await writeProfileOrdersBatch(db, [sale(tenantId, till)], target);

    expect(await snapshots(tenantId, till)).toEqual([]);
    expect(await snapshots(tenantId, app)).toEqual([2]);
  });
});
