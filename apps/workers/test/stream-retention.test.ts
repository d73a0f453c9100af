import { publishJson, transactionPartition } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { partitionPositions } from "@regulars/ledger-store";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { ledgerBacklog, type RunningWorkers, startWorkers, trimStreams } from "../src/index.ts";

// Accepted sales the ledger has not applied stay on the stream however long the ledger is away; those it has applied
// go once they are older than the keep window. (Before, a week's age limit on the stream deleted the oldest
// messages read or not: a ledger stopped for longer lost accepted sales without a word.)

const day = 24 * 60 * 60 * 1000;
let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let workers: RunningWorkers | null = null;

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
  tenant = await testTenant(db, "Retention Grill");
});
afterEach(async () => {
  await workers?.stop();
  workers = null;
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

const sale = (phone: string) => TransactionInput.parse(saleBody({ customer: { phone } }));
async function publish(transactions: TransactionInput[]) {
  const seqs: number[] = [];
  for (const t of transactions) {
    const m = postedTransaction(bus.topology, tenant.tenantId, t);
    seqs.push((await publishJson(bus.js, m.subject, m.payload, m.msgId)).seq);
  }
  return seqs;
}
const ledger = () =>
  startWorkers({ db, bus, log: silentLogger, registry: createMetricsRegistry("test"), enabled: ["ledger"] });
const caughtUp = () =>
  eventually("the ledger caught up", async () => ((await ledgerBacklog(bus, db)) === 0 ? true : undefined));
const streamState = async () => {
  const { state } = await bus.jsm.streams.info(bus.topology.streams.transactions);
  return { first: state.first_seq, messages: state.messages };
};

it("keeps every sale the ledger has not applied, however old, and deletes the applied ones past the window", async () => {
  // 40 customers' sales applied, the last of them by the customer who then buys again while the ledger is away.
  const regular = "+48600990000";
  const applied = await publish([
    ...Array.from({ length: 39 }, (_, i) => sale(`+486009901${String(i).padStart(2, "0")}`)),
    sale(regular),
  ]);
  workers = await ledger();
  await caughtUp();
  await workers.stop();
  workers = null;

  const waiting = await publish(Array.from({ length: 20 }, () => sale(regular)));
  expect(await streamState()).toEqual({ first: applied[0], messages: 60 });

  // Younger than the keep window: nothing goes, applied or not.
  expect((await trimStreams(bus, db, new Date())).transactions).toBe(0);
  // Eight days on: the applied sales before the regular's partition position go; the 20 it has not applied stay.
  const eightDaysOn = new Date(Date.now() + 8 * day);
  const regularPartition = transactionPartition(bus.topology, tenant.tenantId, sale(regular));
  expect((await partitionPositions(db, bus.topology.namespace)).get(regularPartition)).toBe(applied[39]);
  expect((await trimStreams(bus, db, eightDaysOn)).transactions).toBe(40);
  expect(await streamState()).toEqual({ first: waiting[0], messages: 20 });
  // A second pass finds nothing more to delete while they wait.
  expect((await trimStreams(bus, db, eightDaysOn)).transactions).toBe(0);

  // The ledger comes back and applies every waiting sale, once.
  workers = await ledger();
  await caughtUp();
  expect(await db.transaction.count({ where: { tenantId: tenant.tenantId } })).toBe(60);
  expect(await db.ledgerMovement.count({ where: { tenantId: tenant.tenantId, kind: "earn" } })).toBe(60);
  // Now all applied: past the window, all go.
  expect((await trimStreams(bus, db, eightDaysOn)).transactions).toBe(20);
  expect((await streamState()).messages).toBe(0);
});
