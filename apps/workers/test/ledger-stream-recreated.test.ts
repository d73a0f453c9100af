import { ensureTopology, publishMany } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { partitionPositions } from "@regulars/ledger-store";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ledgerBacklog, type RunningWorkers, startWorkers, trimStreams } from "../src/index.ts";

// The ledger's positions in Postgres are stream sequences, and a stream made anew (a NATS store lost or wiped, a
// move to a new cluster) numbers its messages from 1 again. Positions of the old stream then lie ahead of every new
// sale: read from there, the new sales would never be applied, and the backlog would read 0. The ledger recognises
// a stream by its creation time and reads a new one from its start (the ledger's idempotency keys make that safe).

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let workers: RunningWorkers | null = null;
let phone = 0;

beforeEach(async () => {
  bus = await testBus();
  db = testDb();
  tenant = await testTenant(db, "Stream Anew Grill");
});
afterEach(async () => {
  await workers?.stop();
  workers = null;
  await bus?.dispose();
  await db?.$disconnect();
});

const ledger = () =>
  startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["ledger"],
    ledgerLeaseMs: 1_500,
  });
const sales = (n: number) =>
  Array.from({ length: n }, () =>
    postedTransaction(
      bus.topology,
      tenant.tenantId,
      TransactionInput.parse(saleBody({ customer: { phone: `+4860077${String(phone++).padStart(4, "0")}` } })),
    ),
  );
const applied = () => db.transaction.count({ where: { tenantId: tenant.tenantId } });
const appliedReach = (n: number) =>
  eventually(`${n} sales applied`, async () => ((await applied()) === n ? true : undefined), 20_000);
const recreateStream = async () => {
  await bus.jsm.streams.delete(bus.topology.streams.transactions);
  await ensureTopology(bus, { ackWaitMs: 2_000 });
};

it("a ledger started against a stream made anew reads it from its start", async () => {
  workers = await ledger();
  await publishMany(bus.js, sales(30));
  await appliedReach(30);
  await workers.stop();
  workers = null;
  expect(Math.max(...(await partitionPositions(db, bus.topology.namespace)).values())).toBeGreaterThan(10);

  await recreateStream();
  await publishMany(bus.js, sales(10)); // sequences 1-10, below the old positions
  // Before any worker has noticed: the backlog counts the new stream's sales, and the retention keeps them.
  expect(await ledgerBacklog(bus, db)).toBe(10);
  expect((await trimStreams(bus, db, new Date(Date.now() + 8 * 24 * 60 * 60 * 1000))).transactions).toBe(0);
  workers = await ledger();
  await appliedReach(40);
  expect(await db.ledgerMovement.count({ where: { tenantId: tenant.tenantId, kind: "earn" } })).toBe(40);
});

it("a stream made anew already holding more messages than the old one had is read from its start", async () => {
  workers = await ledger();
  await publishMany(bus.js, sales(20));
  await appliedReach(20);
  await workers.stop();
  workers = null;

  await recreateStream();
  // Sequences 1-30: past every old position, so only the messages found at those positions tell the streams apart.
  await publishMany(bus.js, sales(30));
  workers = await ledger();
  await appliedReach(50);
  expect(await db.ledgerMovement.count({ where: { tenantId: tenant.tenantId, kind: "earn" } })).toBe(50);
});

it("a running ledger notices the stream was made anew and reads the new one from its start", async () => {
  workers = await ledger();
  await publishMany(bus.js, sales(30));
  await appliedReach(30);

  await recreateStream();
  await publishMany(bus.js, sales(10));
  await appliedReach(40);
  // Restarted, it keeps the positions it now has: nothing is read twice, and the next sale is applied.
  await workers.stop();
  const positions = await partitionPositions(db, bus.topology.namespace);
  workers = await ledger();
  await publishMany(bus.js, sales(1));
  await appliedReach(41);
  const after = await partitionPositions(db, bus.topology.namespace);
  expect([...after.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(
    [...positions.values()].reduce((a, b) => a + b, 0),
  );
  expect(Math.max(...after.values())).toBe(11);
});
