import { deadLetter, publishJson } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eraseCustomer } from "@regulars/privacy";
import { ProgrammeCache } from "@regulars/programme";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ledgerBacklog, runScheduledJobs, startWorkers } from "../src/index.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// An erased customer's sales stay on the transactions stream for a week after the ledger applied them, and their
// dead letters for 30 days, each naming the phone the till sent: the scheduled pass after the erasure deletes them,
// and leaves everyone else's, and what the ledger has not applied yet.

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

async function publish(tenantId: string, phone: string) {
  const t = TransactionInput.parse(saleBody({ customer: { phone } }));
  const m = postedTransaction(bus.topology, tenantId, t);
  const { seq } = await publishJson(bus.js, m.subject, m.payload, m.msgId);
  return { seq, subject: m.subject, payload: JSON.stringify(m.payload), externalId: t.externalId };
}

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

const pass = (tenantId: string, now: Date) =>
  passWhenLeaseFree(() =>
    runScheduledJobs({ db, bus, log: silentLogger, programmes: new ProgrammeCache(db) }, now, {
      tenantIds: [tenantId],
    }),
  );

it("deletes the erased customer's applied sales and dead letters from the streams, once, and nobody else's", async () => {
  const { tenantId } = await testTenant(db, "Stream erasure");
  const gonePhone = "+48600771001";
  const keptPhone = "+48600771002";
  const gone = [await publish(tenantId, gonePhone), await publish(tenantId, gonePhone)];
  const kept = [await publish(tenantId, keptPhone), await publish(tenantId, keptPhone)];
  const workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["ledger"],
  });
  await eventually("the ledger caught up", async () => ((await ledgerBacklog(bus, db)) === 0 ? true : undefined));
  await workers.stop();
  // A later sale of theirs the ledger has not applied yet: it stays for the ledger.
  const unapplied = await publish(tenantId, gonePhone);
  for (const letter of [gone[0]!, kept[0]!])
    await deadLetter(
      bus,
      bus.topology.consumers.ledger,
      bus.topology.streams.transactions,
      { subject: letter.subject, streamSequence: letter.seq, deliveries: 1, payload: letter.payload },
      "a test's rejection",
    );

  const [owner] = await db.$queryRaw<{ customer_id: string }[]>`
    SELECT customer_id FROM transactions WHERE tenant_id = ${tenantId} AND external_id = ${gone[0]!.externalId}`;
  const now = new Date();
  await eraseCustomer({ db, analytics: null }, tenantId, owner!.customer_id, {
    actor: "key_admin",
    cause: "request",
    now,
  });
  const { done } = await pass(tenantId, now);
  expect(done["erase-stream-messages"]).toBe(1);

  const transactions = await streamText(bus.topology.streams.transactions);
  const letters = await streamText(bus.topology.streams.deadLetter);
  for (const sale of gone) {
    expect(transactions.some((t) => t.includes(sale.externalId))).toBe(false);
    expect(letters.some((t) => t.includes(sale.externalId))).toBe(false);
  }
  for (const sale of kept) expect(transactions.some((t) => t.includes(sale.externalId))).toBe(true);
  expect(letters.some((t) => t.includes(kept[0]!.externalId))).toBe(true);
  expect(transactions.filter((t) => t.includes(gonePhone))).toHaveLength(1);
  expect(transactions.some((t) => t.includes(unapplied.externalId))).toBe(true);

  // Done: a later pass, and the erasure asked again, change nothing.
  expect(
    await eraseCustomer({ db, analytics: null }, tenantId, owner!.customer_id, {
      actor: "key_admin",
      cause: "request",
      now,
    }),
  ).toMatchObject({ status: "already_erased" });
  expect((await pass(tenantId, now)).done["erase-stream-messages"]).toBe(0);
  expect(await streamText(bus.topology.streams.transactions)).toEqual(transactions);
  expect(await streamText(bus.topology.streams.deadLetter)).toEqual(letters);
});
