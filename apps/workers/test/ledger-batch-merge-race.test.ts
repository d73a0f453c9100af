import { type EventMessage, ProgrammeConfig, TransactionInput, type TransactionMessage } from "@regulars/contracts";
import { mergeCustomer } from "@regulars/customers-store";
import { createPgTransactionRunner, type Db, type DbTx, type TransactionRunner } from "@regulars/db";
import { newId, stableId } from "@regulars/ids";
import { applyEventBatch, applyTransactionBatch, customerBalances } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { raceWithHeldTransaction, testDatabaseUrl, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A ledger batch resolves each sale's customer to its survivor before it locks the customers. When the app
// account's merge of a till's customer commits in between, the batch must not earn on the emptied, merged-away
// account (points nobody sees or spends): it follows to the survivor, as a batch that came a moment later does.

let db: Db;
let runner: TransactionRunner;
let tenantId: string;
let n = 0;
const stamp = Date.now().toString(36);

beforeAll(async () => {
  db = testDb();
  runner = createPgTransactionRunner({ url: testDatabaseUrl(), poolSize: 2 });
  ({ tenantId } = await testTenant(db, "Merge Race Diner"));
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 2,
      effectiveFrom: new Date(0),
      config: ProgrammeConfig.parse({
        rules: [
          { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 },
          { id: "feedback", type: "action", event: "feedback_submitted", points: 5, limit: "per_event" },
        ],
        stampCards: [{ id: "visits", name: "10th visit free", stampsRequired: 10, rewardPoints: 100 }],
      }),
      createdBy: "test",
    },
  });
});
afterAll(async () => {
  await runner?.close();
  await db?.$disconnect();
});

const line = (sku: string, unitPrice: number) => ({ sku, name: sku, quantity: 1, unitPrice, discount: 0, tags: [] });

/** A transaction as the gateway stamps it onto the stream, made a minute before it was received. */
function message(body: Record<string, unknown>): TransactionMessage {
  const lines = body.lines as { unitPrice: number }[];
  const receivedAt = new Date();
  const transaction = TransactionInput.parse({
    externalId: `MR-${stamp}-${++n}`,
    type: "sale",
    occurredAt: new Date(receivedAt.getTime() - 60_000).toISOString(),
    locationId: "store-001",
    channel: "pos",
    currency: "EUR",
    total: lines.reduce((sum, l) => sum + l.unitPrice, 0),
    ...body,
  });
  const transactionId = stableId("transaction", tenantId, transaction.externalId);
  return { tenantId, transactionId, receivedAt: receivedAt.toISOString(), transaction };
}

/** A customer the tills enrolled by phone, and an app account about to absorb it. */
async function parties() {
  const phone = `+48609${String(++n).padStart(6, "0")}`;
  const till = newId("customer");
  const app = newId("customer");
  await db.customer.create({ data: { id: till, tenantId, phone, createdVia: "pos" } });
  await db.customerIdentity.create({ data: { tenantId, kind: "phone", value: phone, customerId: till } });
  await db.customer.create({ data: { id: app, tenantId, createdVia: "app" } });
  return { till, app, phone };
}

/**
 * The merge runs in a transaction of its own, held open once it has locked both customers and moved everything;
 * the batch starts then (it still reads the till's customer as not merged), and the merge commits once the batch
 * waits for its lock on that customer.
 */
async function batchRacingMerge(
  till: string,
  app: string,
  batch: TransactionMessage[],
  transactions: TransactionRunner | undefined,
) {
  const deps = { db, transactions, programmes: new ProgrammeCache(db, 0) };
  return racingMerge(till, app, () => applyTransactionBatch(deps, batch));
}

/** `apply` starts once the merge holds its locks; the merge commits once `apply` waits for one of them. */
function racingMerge<T>(till: string, app: string, apply: () => Promise<T>): Promise<T> {
  const merge = (tx: DbTx) => mergeCustomer(tx, tenantId, till, app, { actor: null, source: "app", now: new Date() });
  return raceWithHeldTransaction(testDatabaseUrl(), db, merge, apply, "the batch");
}

describe("a ledger batch racing the merge of its sale's customer", () => {
  it("a sale by the till's phone earns on the app account, and a refund parked in the same batch takes back there", async () => {
    const { till, app, phone } = await parties();
    const sale = message({ customer: { phone }, lines: [line("BURGER", 1200), line("FRIES", 600)] });
    // The refund comes first: it waits for its sale in the batch, then applies right after it.
    const refund = message({ type: "refund", refundOf: sale.transaction.externalId, lines: [line("FRIES", 600)] });

    const { outcomes } = await batchRacingMerge(till, app, [refund, sale], runner);

    expect(outcomes.map((o) => o.kind)).toEqual(["done", "done"]);
    expect((await customerBalances(db, tenantId, app)).points).toBe(18 - 6);
    expect((await customerBalances(db, tenantId, till)).points).toBe(0);
    const stored = await db.transaction.findMany({
      where: { id: { in: [sale.transactionId, refund.transactionId] } },
      select: { customerId: true },
    });
    expect(stored.map((t) => t.customerId)).toEqual([app, app]);
    const stamps = await db.stampCardProgress.findMany({ where: { tenantId, customerId: { in: [till, app] } } });
    expect(stamps.map((s) => [s.customerId, s.stamps])).toEqual([[app, 1]]);
    expect(await db.customerLoyalty.count({ where: { customerId: till } })).toBe(0);
  });

  // Through a Prisma transaction on `db` (no pg runner): it retries the same conflicts.
  it("a sale addressed by the till's customer id earns on the app account", async () => {
    const { till, app } = await parties();
    const sale = message({ customer: { id: till }, lines: [line("SHAKE", 900)] });

    const { outcomes } = await batchRacingMerge(till, app, [sale], undefined);

    expect(outcomes.map((o) => o.kind)).toEqual(["done"]);
    expect((await customerBalances(db, tenantId, app)).points).toBe(9);
    expect((await customerBalances(db, tenantId, till)).points).toBe(0);
    const stored = await db.transaction.findUnique({ where: { id: sale.transactionId } });
    expect(stored?.customerId).toBe(app);
  });

  it("a refund of a sale left on a merged-away account (by a batch that raced a merge) is applied, not retried forever", async () => {
    const { till, app, phone } = await parties();
    const deps = { db, transactions: runner, programmes: new ProgrammeCache(db, 0) };
    const sale = message({ customer: { phone }, lines: [line("BURGER", 1200), line("FRIES", 600)] });
    await applyTransactionBatch(deps, [sale]);
    await db.$transaction((tx) =>
      mergeCustomer(tx, tenantId, till, app, { actor: null, source: "app", now: new Date() }),
    );
    // What such a batch left: the sale stored on the till's customer after the merge moved its sales.
    await db.transaction.update({ where: { id: sale.transactionId }, data: { customerId: till } });
    const refund = message({ type: "refund", refundOf: sale.transaction.externalId, lines: [line("FRIES", 600)] });

    const { outcomes } = await applyTransactionBatch(deps, [refund]);

    expect(outcomes.map((o) => o.kind)).toEqual(["done"]);
    const stored = await db.transaction.findUnique({ where: { id: refund.transactionId } });
    expect(stored?.customerId).toBe(till);
  });

  it("an app event's action points, resolved by the till's phone, go to the app account", async () => {
    const { till, app, phone } = await parties();
    const eventId = `MR-event-${stamp}-${++n}`;
    const event: EventMessage = {
      tenantId,
      id: stableId("event", tenantId, eventId),
      receivedAt: new Date().toISOString(),
      event: {
        eventId,
        type: "feedback_submitted",
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        customer: { phone },
        properties: {},
      },
    };

    await racingMerge(till, app, () => applyEventBatch(db, new ProgrammeCache(db, 0), [event]));

    expect((await customerBalances(db, tenantId, app)).points).toBe(5);
    expect((await customerBalances(db, tenantId, till)).points).toBe(0);
  });
});
