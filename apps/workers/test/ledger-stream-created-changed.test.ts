import { publishMany, readDeadLetters, replayDeadLetter } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import { type Db, type TransactionRunner, withTransaction } from "@regulars/db";
import { partitionPositions, positionsCountIn } from "@regulars/ledger-store";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { ledgerBacklog, type RunningWorkers, startWorkers } from "../src/index.ts";
import { streamCreated } from "../src/ledger/partition-leases.ts";

// Some NATS servers rewrite a stream's creation time when it is updated after a restart (nats-server#8470), and the
// ledger takes a new creation time as a hint that the stream was made anew. Only a stream whose messages contradict
// the positions is read again from its start (`ledger-stream-recreated.test.ts` has those cases): here the stream
// kept its messages, and the positions stay. And should a message be read again all the same, what the ledger
// rejected stays rejected: a refund refused for want of its sale is not applied once the sale has arrived. Unless an
// operator replays its dead letter: then it is decided anew.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let workers: RunningWorkers | null = null;
let phone = 0;

beforeEach(async () => {
  bus = await testBus();
  db = testDb();
  tenant = await testTenant(db, "Creation Time Grill");
});
afterEach(async () => {
  await workers?.stop();
  workers = null;
  await bus?.dispose();
  await db?.$disconnect();
});

const ledger = (opts: { transactions?: TransactionRunner; refundWaitMs?: number } = {}) =>
  startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["ledger"],
    ledgerLeaseMs: 1_500,
    ledgerTransactions: opts.transactions,
    refundWaitMs: opts.refundWaitMs,
  });
const nextPhone = () => `+4860044${String(phone++).padStart(4, "0")}`;
const posted = (body: ReturnType<typeof saleBody>) =>
  postedTransaction(bus.topology, tenant.tenantId, TransactionInput.parse(body));
const applied = () => db.transaction.count({ where: { tenantId: tenant.tenantId } });
const appliedReach = (n: number) =>
  eventually(`${n} transactions applied`, async () => ((await applied()) === n ? true : undefined), 20_000);
const caughtUp = () =>
  eventually("the ledger caught up", async () => ((await ledgerBacklog(bus, db)) === 0 ? true : undefined), 20_000);
/** What the ledger finds at its next start when the server rewrote the stream's creation time meanwhile. */
const recordedUnderAnotherCreationTime = async () => {
  const earlier = new Date(Date.parse(await streamCreated(bus)) - 60_000).toISOString();
  await db.$executeRaw`
    UPDATE ledger_partitions SET stream_created = ${earlier} WHERE namespace = ${bus.topology.namespace}`;
};
const pointsMoved = async () =>
  (await db.ledgerMovement.findMany({ where: { tenantId: tenant.tenantId }, select: { amount: true } })).reduce(
    (sum, m) => sum + Number(m.amount),
    0,
  );

it("a restart that finds only the stream's creation time changed keeps the positions", async () => {
  workers = await ledger();
  await publishMany(
    bus.js,
    Array.from({ length: 20 }, () => posted(saleBody({ customer: { phone: nextPhone() } }))),
  );
  await appliedReach(20);
  await workers.stop();
  workers = null;
  const positions = await partitionPositions(db, bus.topology.namespace);
  expect(Math.max(...positions.values())).toBeGreaterThan(10);
  await recordedUnderAnotherCreationTime();

  // No batch commits until released: what the start did to the positions is all there is to see.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const held: TransactionRunner = {
    run: async <T>(fn: Parameters<TransactionRunner["run"]>[0]) => {
      await released;
      return withTransaction(db, async (tx) => (await fn(tx)) as T);
    },
    close: async () => {},
  };
  workers = await ledger({ transactions: held });
  expect(await partitionPositions(db, bus.topology.namespace)).toEqual(positions);
  expect(await positionsCountIn(db, bus.topology.namespace, await streamCreated(bus))).toBe(true);

  release();
  await publishMany(bus.js, [posted(saleBody({ customer: { phone: nextPhone() } }))]);
  await appliedReach(21);
  expect(await db.ledgerMovement.count({ where: { tenantId: tenant.tenantId, kind: "earn" } })).toBe(21);
});

it("a refund rejected for want of its sale stays rejected when its message is read again", async () => {
  const customer = { phone: nextPhone() };
  const sale = saleBody({ customer });
  const refund = saleBody({ customer, type: "refund", refundOf: sale.externalId });
  workers = await ledger({ refundWaitMs: 1_000 });
  await publishMany(bus.js, [posted(refund)]);
  const rejection = await eventually("the refund rejected once its wait is over", () =>
    db.transactionRejection
      .findFirst({ where: { tenantId: tenant.tenantId, externalId: refund.externalId } })
      .then((r) => r ?? undefined),
  );
  expect(rejection.code).toBe("refunded_sale_not_found");
  await publishMany(bus.js, [posted(sale)]);
  await appliedReach(1);
  const earned = await pointsMoved();
  expect(earned).toBeGreaterThan(0);
  await workers.stop();
  workers = null;

  // Read again from the stream's start, as after a stream taken for one made anew.
  await db.$executeRaw`UPDATE ledger_partitions SET applied_seq = 0 WHERE namespace = ${bus.topology.namespace}`;
  workers = await ledger({ refundWaitMs: 1_000 });
  await caughtUp();

  expect(await db.transaction.findMany({ where: { tenantId: tenant.tenantId }, select: { externalId: true } })).toEqual(
    [{ externalId: sale.externalId }],
  );
  expect(await pointsMoved()).toBe(earned);
  expect(
    await db.transactionRejection.findMany({
      where: { tenantId: tenant.tenantId },
      select: { externalId: true, code: true },
    }),
  ).toEqual([{ externalId: refund.externalId, code: "refunded_sale_not_found" }]);
});

it("a refund rejected for want of its sale is decided anew when an operator replays its dead letter", async () => {
  const customer = { phone: nextPhone() };
  const sale = saleBody({ customer });
  const refund = saleBody({ customer, type: "refund", refundOf: sale.externalId });
  workers = await ledger({ refundWaitMs: 1_000 });
  await publishMany(bus.js, [posted(refund)]);
  const letter = await eventually("the refund's dead letter", async () => {
    for await (const stored of readDeadLetters(bus, { consumer: bus.topology.consumers.ledger }))
      if (stored.letter.payload.includes(refund.externalId)) return stored;
    return undefined;
  });
  expect(letter.letter.reason).toContain("refunded_sale_not_found");
  await publishMany(bus.js, [posted(sale)]);
  await appliedReach(1);

  await replayDeadLetter(bus, letter);
  await appliedReach(2);
  expect(
    (await db.transaction.findMany({ where: { tenantId: tenant.tenantId }, select: { type: true } }))
      .map((t) => t.type)
      .sort(),
  ).toEqual(["refund", "sale"]);
  expect(await pointsMoved()).toBe(0);
});
