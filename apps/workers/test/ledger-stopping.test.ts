import { DependencyGate, type PartitionMessage } from "@regulars/bus";
import { TransactionInput } from "@regulars/contracts";
import type { Db, TransactionRunner } from "@regulars/db";
import { claimPartitions, ensurePartitions, partitionPositions } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { postedTransaction, saleBody, testBus, testDb, testTenant, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { partitionBatchApplier } from "../src/ledger/partition-batch.ts";

// A worker that stops while Postgres is down hands its batch back whole: nothing after the messages it could not
// apply may move the partition on, or the next owner would start past them and they would never be applied.

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

it("stopping during an outage dead-letters nothing behind the messages it did not apply", async () => {
  const { tenantId } = await testTenant(db, "Stopping Diner");
  const namespace = uniqueNamespace();
  await ensurePartitions(db, namespace, 4);
  await claimPartitions(db, namespace, "w1", 4, 60_000);
  const down = new Error("connect ECONNREFUSED 127.0.0.1:5432");
  const unreachable: TransactionRunner = {
    run: () => Promise.reject(down),
    close: async () => {},
  };
  const dependency = { name: "postgres", isTransient: () => true, probe: async () => false };
  const gate = new DependencyGate({ consumer: "ledger", dependency, log: silentLogger });
  gate.close(); // the worker is stopping: the outage is not waited out
  const deadLettered: string[] = [];
  const apply = partitionBatchApplier({
    db,
    bus,
    log: silentLogger,
    ledger: { db, programmes: new ProgrammeCache(db), transactions: unreachable },
    guard: { namespace, worker: "w1", leaseMs: 60_000 },
    gate,
    dependency,
    maxAttempts: 3,
    stopping: () => true,
    onDeadLetter: (info) => deadLettered.push(info.reason),
  });
  const sale = postedTransaction(bus.topology, tenantId, TransactionInput.parse(saleBody()));
  const batch: PartitionMessage[] = [
    { partition: 0, seq: 5, subject: sale.subject, payload: JSON.stringify(sale.payload), pending: 1, replayed: false },
    { partition: 0, seq: 6, subject: sale.subject, payload: "{not json", pending: 0, replayed: false },
  ];
  await apply(batch);
  expect(deadLettered).toEqual([]);
  expect((await partitionPositions(db, namespace)).get(0) ?? 0).toBe(0);
});
