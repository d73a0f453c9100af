import { type DeadLetterInfo, DependencyGate, type PartitionMessage } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import { type Db, isTransientDbError, type TransactionRunner, withTransaction } from "@regulars/db";
import { claimPartitions, ensurePartitions, partitionPositions } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { postedTransaction, saleBody, testBus, testDb, testTenant, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { partitionBatchApplier } from "../src/ledger/partition-batch.ts";

// A message the ledger gives up on is skipped for good: the sale is recorded rejected and its points never
// given. So a message failing alone is tried `maxAttempts` times whatever the error, not only when the error is
// classed transient: a lock timeout (55P03, which the classifier does not count as passing) may pass next time.

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

/** Batch transactions whose first `failures` fail inside Postgres with lock_not_available, then go through. */
function failingFirst(failures: number): TransactionRunner & { calls: number } {
  const runner = {
    calls: 0,
    run: <T>(fn: Parameters<TransactionRunner["run"]>[0]) =>
      withTransaction(db, async (tx) => {
        if (++runner.calls <= failures) {
          await tx.$executeRawUnsafe(
            `DO $$ BEGIN RAISE EXCEPTION 'could not obtain lock on row in relation "customers"' USING ERRCODE = '55P03'; END $$`,
          );
        }
        return (await fn(tx)) as T;
      }),
    close: async () => {},
  };
  return runner;
}

async function applyOneSale(runner: TransactionRunner) {
  const { tenantId } = await testTenant(db, "Retrying Diner");
  const namespace = uniqueNamespace();
  await ensurePartitions(db, namespace, 4);
  await claimPartitions(db, namespace, "w1", 4, 60_000);
  const dependency = { name: "postgres", isTransient: isTransientDbError, probe: async () => true };
  const deadLettered: DeadLetterInfo[] = [];
  const apply = partitionBatchApplier({
    db,
    bus,
    log: silentLogger,
    ledger: { db, programmes: new ProgrammeCache(db), transactions: runner },
    guard: { namespace, worker: "w1", leaseMs: 60_000 },
    gate: new DependencyGate({ consumer: "ledger", dependency, log: silentLogger }),
    dependency,
    maxAttempts: 3,
    stopping: () => false,
    onDeadLetter: (info) => deadLettered.push(info),
  });
  const sale = postedTransaction(bus.topology, tenantId, TransactionInput.parse(saleBody()));
  const batch: PartitionMessage[] = [
    { partition: 0, seq: 7, subject: sale.subject, payload: JSON.stringify(sale.payload), pending: 0, replayed: false },
  ];
  await apply(batch);
  const { transactionId, transaction } = sale.payload;
  return {
    deadLettered,
    applied: await db.transaction.count({ where: { id: transactionId } }),
    rejection: await db.transactionRejection.findFirst({ where: { tenantId, externalId: transaction.externalId } }),
    position: (await partitionPositions(db, namespace)).get(0) ?? 0,
  };
}

it("a sale that fails twice with an error not classed transient is applied on its third attempt", async () => {
  const runner = failingFirst(2);
  const outcome = await applyOneSale(runner);
  expect(runner.calls).toBe(3);
  expect(outcome.deadLettered).toEqual([]);
  expect(outcome.rejection).toBeNull();
  expect(outcome.applied).toBe(1);
  expect(outcome.position).toBe(7);
});

it("a sale that fails every time is dead-lettered after maxAttempts, and the reason counts them truly", async () => {
  const runner = failingFirst(Number.POSITIVE_INFINITY);
  const outcome = await applyOneSale(runner);
  expect(runner.calls).toBe(3);
  expect(outcome.deadLettered.map((d) => [d.category, d.reason])).toEqual([
    ["retries_exhausted", expect.stringMatching(/^gave up after 3 attempts: /)],
  ]);
  expect(outcome.applied).toBe(0);
  expect(outcome.rejection).toMatchObject({
    code: "processing_failed",
    message: expect.stringMatching(/^gave up after 3 attempts: /),
  });
  expect(outcome.position).toBe(7); // skipped, as a message that can never be applied must be
});
