import type { Bus } from "@regulars/bus";
import { publishJson, readDeadLetters } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eraseCustomer } from "@regulars/privacy";
import { ProgrammeCache } from "@regulars/programme";
import {
  eventually,
  postedTransaction,
  saleBody,
  testBus,
  testDb,
  testTenant,
  withEmptyFetches,
} from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ledgerBacklog, runScheduledJobs, startWorkers } from "../src/index.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// An erased customer's sales stay on the transactions stream for a week after the ledger applied them, and the
// ledger's dead letters of their refunds for 30 days: the scheduled pass after the erasure deletes them, and leaves
// everyone else's, and what the ledger has not applied yet.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

async function publish(tenantId: string, overrides: Parameters<typeof saleBody>[0]) {
  const t = TransactionInput.parse(saleBody(overrides));
  const m = postedTransaction(bus.topology, tenantId, t);
  const { seq } = await publishJson(bus.js, m.subject, m.payload, m.msgId);
  return { seq, externalId: t.externalId };
}
const sale = (tenantId: string, phone: string, locationId = "store-017") =>
  publish(tenantId, { customer: { phone }, locationId });
/** A refund the ledger rejects: it names a line its sale does not have. */
const uncoveredRefund = (tenantId: string, phone: string, refundOf: string, locationId = "store-017") =>
  publish(tenantId, {
    type: "refund",
    refundOf,
    locationId,
    customer: { phone },
    lines: [{ lineNo: 1, sku: "NOT-SOLD", name: "Not sold", tags: [], quantity: 1, unitPrice: 900, discount: 0 }],
  });

/** Every message left on a stream, as text. */
async function streamText(stream: string): Promise<string[]> {
  const { state } = await bus.jsm.streams.info(stream);
  const texts: string[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const stored = await bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (stored) texts.push(stored.string());
  }
  return texts;
}

const pass = (tenantId: string, now: Date, passBus: Bus = bus) =>
  passWhenLeaseFree(() =>
    runScheduledJobs({ db, bus: passBus, log: silentLogger, programmes: new ProgrammeCache(db) }, now, {
      tenantIds: [tenantId],
    }),
  );

async function ledgerApplies() {
  const workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["ledger"],
  });
  await eventually("the ledger caught up", async () => ((await ledgerBacklog(bus, db)) === 0 ? true : undefined));
  await workers.stop();
}

async function erase(tenantId: string, externalId: string, now: Date) {
  const [owner] = await db.$queryRaw<{ customer_id: string }[]>`
    SELECT customer_id FROM transactions WHERE tenant_id = ${tenantId} AND external_id = ${externalId}`;
  await eraseCustomer({ db, analytics: null }, tenantId, owner!.customer_id, {
    actor: "key_admin",
    cause: "request",
    now,
  });
  return owner!.customer_id;
}

it("deletes several erased customers' applied sales and refund dead letters in one pass, and nobody else's", async () => {
  const { tenantId } = await testTenant(db, "Stream erasure");
  const phones = { first: "+48600771001", second: "+48600771003", kept: "+48600771002" };
  const first = [await sale(tenantId, phones.first), await sale(tenantId, phones.first, "store-018")];
  const second = [await sale(tenantId, phones.second, "store-018")];
  const kept = [await sale(tenantId, phones.kept), await sale(tenantId, phones.kept, "store-018")];
  await ledgerApplies();
  // The ledger's own dead letters: a refund of one of their sales, and one of the kept customer's.
  const refused = await uncoveredRefund(tenantId, phones.first, first[0]!.externalId);
  // Rejected at a store where they have no sale the ledger kept: only its dead letter leads there.
  const refusedElsewhere = await uncoveredRefund(tenantId, phones.first, first[0]!.externalId, "store-099");
  const keptRefused = await uncoveredRefund(tenantId, phones.kept, kept[0]!.externalId);
  await ledgerApplies();
  const lettered = [];
  for await (const l of readDeadLetters(bus, { consumer: bus.topology.consumers.ledger })) lettered.push(l);
  expect(lettered.map((l) => l.letter.payload).filter((p) => p.includes(refused.externalId))).toHaveLength(1);
  // A later sale of theirs the ledger has not applied yet: it stays for the ledger.
  const unapplied = await sale(tenantId, phones.first);

  const now = new Date();
  const firstId = await erase(tenantId, first[0]!.externalId, now);
  await erase(tenantId, second[0]!.externalId, now);
  const { done } = await pass(tenantId, now);
  expect(done["erase-stream-messages"]).toBe(2);
  expect(done.failed).toBeUndefined();

  const transactions = await streamText(bus.topology.streams.transactions);
  const letters = await streamText(bus.topology.streams.deadLetter);
  for (const gone of [...first, ...second, refused, refusedElsewhere])
    expect([...transactions, ...letters].filter((t) => t.includes(gone.externalId))).toEqual([]);
  for (const stays of kept) expect(transactions.some((t) => t.includes(stays.externalId))).toBe(true);
  expect(letters.some((t) => t.includes(keptRefused.externalId))).toBe(true);
  expect(transactions.some((t) => t.includes(unapplied.externalId))).toBe(true);

  // Done: a later pass, and the erasure asked again, change nothing.
  expect(
    await eraseCustomer({ db, analytics: null }, tenantId, firstId, { actor: "key_admin", cause: "request", now }),
  ).toMatchObject({ status: "already_erased" });
  expect((await pass(tenantId, now)).done["erase-stream-messages"]).toBe(0);
  expect(await streamText(bus.topology.streams.transactions)).toEqual(transactions);
  expect(await streamText(bus.topology.streams.deadLetter)).toEqual(letters);
});

it("a stream made anew and not yet adopted by the ledger: nothing is known applied, so the erasure stays pending", async () => {
  const { tenantId } = await testTenant(db, "Stream erasure, new stream");
  const theirs = await sale(tenantId, "+48600771004");
  await ledgerApplies();
  // What a stream made anew looks like before a ledger worker notices: positions counted in another stream.
  await db.$executeRaw`
    UPDATE ledger_partitions SET stream_created = ${`before ${new Date().toISOString()}`}
    WHERE namespace = ${bus.topology.namespace}`;
  const now = new Date();
  await erase(tenantId, theirs.externalId, now);

  const { done } = await pass(tenantId, now);

  expect(done["erase-stream-messages"]).toBe(0);
  const [request] = await db.$queryRaw<{ streams_done_at: Date | null }[]>`
    SELECT streams_done_at FROM erasure_requests WHERE tenant_id = ${tenantId}`;
  expect(request!.streams_done_at).toBeNull();
});

it("a person with more sales than a call's arguments can hold: the pass finishes and deletes what is on the stream", async () => {
  const { tenantId } = await testTenant(db, "Stream erasure, long history");
  const theirs = await sale(tenantId, "+48600771005");
  await ledgerApplies();
  const now = new Date();
  const customerId = await erase(tenantId, theirs.externalId, now);
  // Years of sales across many stores, from before the stream's first message: set-based, one statement.
  await db.$executeRaw`
    INSERT INTO transactions (id, tenant_id, external_id, type, occurred_at, location_id, channel, customer_id,
      currency, total, discount_total, points_awarded, received_at)
    SELECT ${tenantId} || '-old-' || i, ${tenantId}, 'old-' || i, 'sale', at, 'store-' || (i % 500), 'pos',
      ${customerId}, 'PLN', 1000, 0, 0, at
    FROM generate_series(1, 150000) AS i, LATERAL (SELECT ${now}::timestamptz - interval '90 days' - i * interval '1 minute') AS t(at)`;

  const { done } = await pass(tenantId, now);

  expect(done.failed).toBeUndefined();
  expect(done["erase-stream-messages"]).toBe(1);
  const transactions = await streamText(bus.topology.streams.transactions);
  expect(transactions.filter((t) => t.includes(theirs.externalId))).toEqual([]);
});

it("a scan that cannot show it reached its end leaves the erasure pending and the messages in place", async () => {
  const { tenantId } = await testTenant(db, "Stream erasure, scan cut short");
  const theirs = await sale(tenantId, "+48600771006");
  await ledgerApplies();
  const now = new Date();
  await erase(tenantId, theirs.externalId, now);

  const { done } = await pass(tenantId, now, withEmptyFetches(bus));

  expect(done.failed).toBe(1);
  const [request] = await db.$queryRaw<{ streams_done_at: Date | null }[]>`
    SELECT streams_done_at FROM erasure_requests WHERE tenant_id = ${tenantId}`;
  expect(request!.streams_done_at).toBeNull();
  const transactions = await streamText(bus.topology.streams.transactions);
  expect(transactions.some((t) => t.includes(theirs.externalId))).toBe(true);
});
