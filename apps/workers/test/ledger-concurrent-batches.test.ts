import { partitionOf, publishMany } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import { type Db, isTransientDbError } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { eventually, postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningLedger, startPartitionedLedger } from "../src/index.ts";

// A ledger worker applies two batches at once, of different partitions: while one batch waits (here, held after
// its commit), another partition's transactions are applied; the held partition's next transactions wait for it.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let tenant: Awaited<ReturnType<typeof testTenant>>;
let ledger: RunningLedger | null = null;
let release: () => void = () => {};

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
  tenant = await testTenant(db, "Two Lanes Diner");
});
afterAll(async () => {
  release();
  await ledger?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

const phoneIn = (partition: number, from = 0): string => {
  for (let i = from; ; i++) {
    const phone = `+4860077${String(i).padStart(4, "0")}`;
    if (partitionOf(tenant.tenantId, `phone:${phone}`, bus.topology.partitions) === partition) return phone;
  }
};

const sale = (phone: string) =>
  postedTransaction(bus.topology, tenant.tenantId, TransactionInput.parse(saleBody({ customer: { phone } })));

const applied = async (m: ReturnType<typeof sale>) =>
  (await db.transaction.count({ where: { id: m.payload.transactionId } })) === 1;

it("applies another partition's batch while one is held, and the held partition's next one only after it", async () => {
  const [a, b] = [phoneIn(0), phoneIn(1)];
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const first = sale(a);
  ledger = await startPartitionedLedger({
    db,
    bus,
    log: silentLogger,
    dependency: { name: "postgres", isTransient: isTransientDbError, probe: async () => true },
    ledger: { db, programmes: new ProgrammeCache(db) },
    lingerMs: 0,
    concurrentBatches: 2,
    // The batch holding the first sale stays in hand after its commit until released.
    onApplied: async (_batch, messages) => {
      if (messages.some((m) => m.transactionId === first.payload.transactionId)) await held;
    },
  });
  await publishMany(bus.js, [first]);
  await eventually("the first sale committed", async () => ((await applied(first)) ? true : undefined));

  const sameCustomer = sale(a);
  const otherPartition = sale(b);
  await publishMany(bus.js, [sameCustomer, otherPartition]);
  await eventually("the other partition's sale applied meanwhile", async () =>
    (await applied(otherPartition)) ? true : undefined,
  );
  // Partition 0 is still in the held batch's hands: its next sale waits.
  await eventually("the same customer's next sale in the stream", async () =>
    (await applied(sameCustomer)) || ledger!.backlog() >= 1 ? true : undefined,
  );
  expect(await applied(sameCustomer)).toBe(false);

  release();
  await eventually("the next sale applied once the batch before it is done", async () =>
    (await applied(sameCustomer)) ? true : undefined,
  );
  const visits = await db.transaction.findMany({
    where: { tenantId: tenant.tenantId, customer: { phone: a } },
    orderBy: { processedAt: "asc" },
    select: { id: true },
  });
  expect(visits.map((v) => v.id)).toEqual([first.payload.transactionId, sameCustomer.payload.transactionId]);
});
