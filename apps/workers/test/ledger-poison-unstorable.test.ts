import { randomBytes } from "node:crypto";
import { type DeadLetterInfo, DependencyGate, type PartitionMessage } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import { type Db, isTransientDbError } from "@regulars/db";
import { claimPartitions, ensurePartitions, partitionPositions } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { postedTransaction, saleBody, testBus, testDb, testTenant, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { partitionBatchApplier } from "../src/ledger/partition-batch.ts";

// An unreadable message is dead-lettered and its partition moves past it. Its rejection is recorded under the
// tenant and externalId it names, but a message from an older, looser release (or an old letter replayed) may name
// them with text Postgres refuses: the insert failed, the batch with it, and the partition stood still for good,
// the sales behind it never applied.

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

/** Applies [the unreadable message at p0:5, a valid sale of the tenant at p0:6] as the ledger's partition batch. */
async function applyAfterUnreadable(unreadable: (tenantId: string) => unknown) {
  const { tenantId } = await testTenant(db, "Poisoned Partition Diner");
  const namespace = uniqueNamespace();
  await ensurePartitions(db, namespace, 4);
  await claimPartitions(db, namespace, "w1", 4, 60_000);
  const dependency = { name: "postgres", isTransient: isTransientDbError, probe: async () => true };
  const deadLettered: DeadLetterInfo[] = [];
  const apply = partitionBatchApplier({
    db,
    bus,
    log: silentLogger,
    ledger: { db, programmes: new ProgrammeCache(db) },
    guard: { namespace, worker: "w1", leaseMs: 60_000 },
    gate: new DependencyGate({ consumer: "ledger", dependency, log: silentLogger }),
    dependency,
    maxAttempts: 2,
    stopping: () => false,
    onDeadLetter: (info) => deadLettered.push(info),
  });
  const sale = postedTransaction(bus.topology, tenantId, TransactionInput.parse(saleBody()));
  const message = (seq: number, payload: string): PartitionMessage => ({
    partition: 0,
    seq,
    subject: sale.subject,
    payload,
    pending: 0,
    replayed: false,
  });
  await apply([message(5, JSON.stringify(unreadable(tenantId))), message(6, JSON.stringify(sale.payload))]);
  return {
    tenantId,
    deadLettered: deadLettered.map((d) => d.category),
    saleApplied: await db.transaction.count({ where: { id: sale.payload.transactionId } }),
    position: (await partitionPositions(db, namespace)).get(0) ?? 0,
  };
}

it("an unreadable message whose externalId holds a NUL is dead-lettered, and the sale after it applied", async () => {
  const outcome = await applyAfterUnreadable((tenantId) => ({ tenantId, transaction: { externalId: "POS\u0000-1" } }));
  expect(outcome.deadLettered).toEqual(["invalid_payload"]);
  expect(outcome.saleApplied).toBe(1);
  expect(outcome.position).toBe(6);
  // The dead letter carries the reason; there is no externalId to record a rejection under.
  expect(await db.transactionRejection.count({ where: { tenantId: outcome.tenantId } })).toBe(0);
});

it("an unreadable message whose tenantId holds a NUL is dead-lettered, and the sale after it applied", async () => {
  const outcome = await applyAfterUnreadable((tenantId) => ({
    tenantId: `${tenantId}\u0000`,
    transaction: { externalId: "POS-2" },
  }));
  expect(outcome.deadLettered).toEqual(["invalid_payload"]);
  expect(outcome.saleApplied).toBe(1);
  expect(outcome.position).toBe(6);
});

// Text Postgres stores but cannot index under the rejections' key (past a btree entry's limit): the rejection is
// given up, not the partition.
it("an unreadable message whose tenantId is too long to key a rejection is dead-lettered all the same", async () => {
  const outcome = await applyAfterUnreadable(() => ({
    tenantId: randomBytes(6_000).toString("base64"),
    transaction: { externalId: "POS-3" },
  }));
  expect(outcome.deadLettered).toEqual(["invalid_payload"]);
  expect(outcome.saleApplied).toBe(1);
  expect(outcome.position).toBe(6);
});
