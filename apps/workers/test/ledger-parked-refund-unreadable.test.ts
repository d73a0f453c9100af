import { type Bus, type DeadLetterInfo, DependencyGate, type PartitionMessage, readDeadLetters } from "@regulars/bus";
import { TransactionInput, TransactionMessage } from "@regulars/contracts";
import { type Db, isTransientDbError } from "@regulars/db";
import { claimPartitions, ensurePartitions } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { postedTransaction, saleBody, testBus, testDb, testTenant, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it, onTestFinished } from "vitest";
import { partitionBatchApplier } from "../src/ledger/partition-batch.ts";

// A refund parked by an earlier release may no longer read as the contract (the phone schema tightened). When its
// sale's batch takes it, it is rejected with the reason; it was not dead-lettered there, as the sweep does, so its
// message as posted was gone with the parked row. It goes out raw before the batch commits, or stays parked.

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

/** The bus, but every publish times out, as NATS does when its stream leader is away. */
function failingPublish(): Bus {
  const publish: Bus["js"]["publish"] = () => Promise.reject(new Error("TIMEOUT"));
  return { ...bus, js: { ...bus.js, publish } as Bus["js"] };
}

/** A refund parked for its sale through the worker's applier, its stored message then as the previous release's. */
async function parkedUnreadable(name: string, phone: string) {
  const { tenantId } = await testTenant(db, name);
  // Never leave an unreadable row behind for another test's sweep.
  onTestFinished(async () => void (await db.parkedRefund.deleteMany({ where: { tenantId } })));
  const namespace = uniqueNamespace();
  await ensurePartitions(db, namespace, 4);
  await claimPartitions(db, namespace, "w1", 4, 60_000);
  const applier = (over: Bus) => {
    const dependency = { name: "postgres", isTransient: isTransientDbError, probe: async () => true };
    const letters: DeadLetterInfo[] = [];
    const apply = partitionBatchApplier({
      db,
      bus: over,
      log: silentLogger,
      ledger: { db, programmes: new ProgrammeCache(db) },
      guard: { namespace, worker: "w1", leaseMs: 60_000 },
      gate: new DependencyGate({ consumer: "ledger", dependency, log: silentLogger }),
      dependency,
      maxAttempts: 3,
      stopping: () => false,
      onDeadLetter: (info) => letters.push(info),
    });
    return { apply, letters };
  };
  const at = (seq: number, posted: ReturnType<typeof postedTransaction>): PartitionMessage[] => [
    {
      partition: 0,
      seq,
      subject: posted.subject,
      payload: JSON.stringify(posted.payload),
      pending: 0,
      replayed: false,
    },
  ];
  const sale = postedTransaction(bus.topology, tenantId, TransactionInput.parse(saleBody({ customer: { phone } })));
  const refund = postedTransaction(
    bus.topology,
    tenantId,
    TransactionInput.parse(
      saleBody({ type: "refund", refundOf: sale.payload.transaction.externalId, customer: { phone } }),
    ),
  );
  await applier(bus).apply(at(1, refund));
  // As the previous release stored a phone posted as +49006680.
  await db.$executeRaw`
    UPDATE parked_refunds SET message = jsonb_set(message, '{transaction,customer,phone}', '"+496680"')
    WHERE tenant_id = ${tenantId} AND transaction_id = ${refund.payload.transactionId}`;
  const stored = await db.parkedRefund.findUniqueOrThrow({
    where: { tenantId_transactionId: { tenantId, transactionId: refund.payload.transactionId } },
  });
  expect(TransactionMessage.safeParse(stored.message).success).toBe(false);
  return { tenantId, sale, refund, applySale: (over: Bus) => applier(over), saleAt: at(2, sale) };
}

it("taken by its sale's batch, it is dead-lettered as stored with the sweep's reason, and the sale applies", async () => {
  const { tenantId, sale, refund, applySale, saleAt } = await parkedUnreadable("Unreadable Taken Diner", "+4860056001");
  const { apply, letters } = applySale(bus);
  await apply(saleAt);

  expect(await db.transaction.count({ where: { id: sale.payload.transactionId } })).toBe(1);
  expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(0);
  const rejections = await db.transactionRejection.findMany({
    where: { tenantId },
    select: { externalId: true, code: true },
  });
  expect(rejections).toEqual([{ externalId: refund.payload.transaction.externalId, code: "contract_violation" }]);
  expect(letters).toEqual([
    {
      consumer: bus.topology.consumers.ledger,
      subject: refund.subject,
      payload: expect.any(String),
      reason: expect.stringMatching(/^contract_violation: .*customer\.phone/),
      category: "invalid_payload",
    },
  ]);
  expect(JSON.parse(letters[0]!.payload).transaction.customer.phone).toBe("+496680");

  const stored: { subject: string; reason: string }[] = [];
  for await (const { letter } of readDeadLetters(bus, { consumer: bus.topology.consumers.ledger })) {
    const message = JSON.parse(letter.payload) as TransactionMessage | null;
    if (message?.tenantId === tenantId) stored.push({ subject: letter.subject, reason: letter.reason });
  }
  expect(stored).toEqual([{ subject: refund.subject, reason: letters[0]!.reason }]);
});

it("when its letter cannot go out, it stays parked, unrejected, for the sweep; the sale applies", async () => {
  const { tenantId, sale, refund, applySale, saleAt } = await parkedUnreadable("Unlettered Taken Diner", "+4860056002");
  const { apply, letters } = applySale(failingPublish());
  await apply(saleAt);

  expect(await db.transaction.count({ where: { id: sale.payload.transactionId } })).toBe(1);
  expect(await db.transactionRejection.count({ where: { tenantId } })).toBe(0);
  expect(letters).toEqual([]);
  const [left, ...more] = await db.parkedRefund.findMany({ where: { tenantId } });
  expect(more).toEqual([]);
  expect(left).toMatchObject({ transactionId: refund.payload.transactionId, subject: refund.subject });
  expect((left!.message as { transaction: { customer: { phone: string } } }).transaction.customer.phone).toBe(
    "+496680",
  );
});
