import { type Bus, readDeadLetters } from "@regulars/bus";
import { TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it, onTestFinished, vi } from "vitest";
import { sweepParkedRefundsOnce } from "../src/ledger/parked-refunds-sweep.ts";

// A refund that waited too long for its sale is rejected and dead-lettered for an operator to replay. The
// rejection used to commit first and the letters go out after: one failed publish lost that refund's letter and
// every later one's, with no parked row left for the next sweep to try again.

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

const hour = 3_600_000;

/** The bus, but its second publish times out, as NATS does when its stream leader is away. */
function failingSecondPublish(): Bus {
  let published = 0;
  const publish: Bus["js"]["publish"] = (...args) =>
    ++published === 2 ? Promise.reject(new Error("TIMEOUT")) : bus.js.publish(...args);
  return { ...bus, js: { ...bus.js, publish } as Bus["js"] };
}

it("a failed dead letter leaves the sweep's refunds parked; the next sweep letters each one once", async () => {
  const { tenantId } = await testTenant(db, "Parked Refunds Diner");
  // Received hours ago, under a clock of their own: only refunds long overdue are swept here, never another
  // test's that are waiting now.
  const receivedAt = new Date(Date.now() - 3 * hour);
  const ledger = {
    db,
    programmes: new ProgrammeCache(db),
    refundWaitMs: hour,
    now: () => new Date(receivedAt.getTime() + 60_000),
  };
  const refunds: TransactionMessage[] = [1, 2, 3].map((n) => {
    const body = saleBody({
      type: "refund",
      refundOf: `POS1-never-sent-${n}`,
      occurredAt: new Date(receivedAt.getTime() - 60_000).toISOString(),
      customer: { phone: `+4860055000${n}` },
    });
    const { payload } = postedTransaction(bus.topology, tenantId, TransactionInput.parse(body));
    return { ...payload, receivedAt: receivedAt.toISOString() };
  });
  await applyTransactionBatch(ledger, refunds);
  const parked = () => db.parkedRefund.count({ where: { tenantId } });
  const rejected = () =>
    db.transactionRejection.findMany({ where: { tenantId }, select: { externalId: true, code: true } });
  expect(await parked()).toBe(3);

  const sweepAt = { ...ledger, now: () => new Date(receivedAt.getTime() + hour + 60_000) };
  await expect(
    sweepParkedRefundsOnce({ db, bus: failingSecondPublish(), log: silentLogger, ledger: sweepAt }),
  ).rejects.toThrow(/TIMEOUT/);
  expect(await parked()).toBe(3);
  expect(await rejected()).toEqual([]);

  const swept: string[] = [];
  await sweepParkedRefundsOnce({
    db,
    bus,
    log: silentLogger,
    ledger: sweepAt,
    onDeadLetter: (info) => swept.push((JSON.parse(info.payload) as TransactionMessage).transactionId),
  });
  const ids = refunds.map((r) => r.transactionId).sort();
  expect(await parked()).toBe(0);
  expect((await rejected()).map((r) => r.code)).toEqual(Array(3).fill("refunded_sale_not_found"));
  expect(swept.filter((id) => ids.includes(id)).sort()).toEqual(ids);

  const letters: string[] = [];
  for await (const stored of readDeadLetters(bus, { consumer: bus.topology.consumers.ledger })) {
    const message = JSON.parse(stored.letter.payload) as TransactionMessage;
    if (message.tenantId === tenantId) letters.push(message.transactionId);
  }
  expect(letters.sort()).toEqual(ids); // each once: the one published before the failure is not stored again
});

// A refund parked by an earlier release may no longer read as the contract (the phone schema tightened): it is
// rejected with the reason and dead-lettered as it was stored, and the sweep goes on with the others.
it("a parked refund whose stored message no longer reads is dead-lettered as stored, with the reason", async () => {
  const { tenantId } = await testTenant(db, "Unreadable Parked Refunds Diner");
  // Never leave an unreadable row behind for another test's sweep.
  onTestFinished(async () => void (await db.parkedRefund.deleteMany({ where: { tenantId } })));
  const receivedAt = new Date(Date.now() - 4 * hour);
  const ledger = { db, programmes: new ProgrammeCache(db), refundWaitMs: hour, now: () => receivedAt };
  const refunds: TransactionMessage[] = [1, 2].map((n) => {
    const body = saleBody({
      type: "refund",
      refundOf: `POS1-never-sent-unreadable-${n}`,
      occurredAt: new Date(receivedAt.getTime() - 60_000).toISOString(),
      customer: { phone: `+4860055100${n}` },
    });
    const { payload } = postedTransaction(bus.topology, tenantId, TransactionInput.parse(body));
    return { ...payload, receivedAt: receivedAt.toISOString() };
  });
  await applyTransactionBatch(ledger, refunds);
  const [unreadable, readable] = refunds as [TransactionMessage, TransactionMessage];
  // As the previous release stored a phone posted as +49006680.
  await db.$executeRaw`
    UPDATE parked_refunds SET message = jsonb_set(message, '{transaction,customer,phone}', '"+496680"')
    WHERE tenant_id = ${tenantId} AND transaction_id = ${unreadable.transactionId}`;

  const letters: { payload: string; reason: string; category: string }[] = [];
  await sweepParkedRefundsOnce({
    db,
    bus,
    log: silentLogger,
    ledger: { ...ledger, now: () => new Date(receivedAt.getTime() + hour + 60_000) },
    onDeadLetter: (info) => void letters.push(info),
  });
  expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(0);
  const rejections = await db.transactionRejection.findMany({
    where: { tenantId },
    select: { externalId: true, code: true },
  });
  expect(rejections.sort((a, b) => a.code.localeCompare(b.code))).toEqual([
    { externalId: unreadable.transaction.externalId, code: "contract_violation" },
    { externalId: readable.transaction.externalId, code: "refunded_sale_not_found" },
  ]);
  const mine = letters.filter((l) => (JSON.parse(l.payload) as TransactionMessage | null)?.tenantId === tenantId);
  const unreadableLetter = mine.find((l) => JSON.parse(l.payload).transactionId === unreadable.transactionId);
  expect(unreadableLetter).toMatchObject({
    category: "invalid_payload",
    reason: expect.stringMatching(/^contract_violation: .*customer\.phone/),
  });
  expect(JSON.parse(unreadableLetter!.payload).transaction.customer.phone).toBe("+496680");
  expect(mine.map((l) => JSON.parse(l.payload).transactionId)).toContain(readable.transactionId);

  const stored: string[] = [];
  for await (const { letter } of readDeadLetters(bus, { consumer: bus.topology.consumers.ledger })) {
    const message = JSON.parse(letter.payload) as TransactionMessage | null;
    if (message?.tenantId === tenantId && letter.reason.startsWith("contract_violation: "))
      stored.push(message.transactionId);
  }
  expect(stored).toEqual([unreadable.transactionId]);
});

// Deadlines are set on the database's clock when a refund is parked; a sweep comparing them with a worker's clock
// that ran ten minutes fast refused a refund parked seconds ago, and its sale arriving then was never refunded.
it("a worker whose clock runs fast does not expire a refund parked seconds ago", async () => {
  const { tenantId } = await testTenant(db, "Fast Clock Diner");
  onTestFinished(async () => void (await db.parkedRefund.deleteMany({ where: { tenantId } })));
  // No injected clock, as in production: the wait runs on the database's.
  const ledger = { db, programmes: new ProgrammeCache(db), refundWaitMs: 5 * 60_000 };
  const sale = postedTransaction(
    bus.topology,
    tenantId,
    TransactionInput.parse(saleBody({ customer: { phone: "+48600552001" } })),
  ).payload;
  const refundBody = saleBody({
    type: "refund",
    refundOf: sale.transaction.externalId,
    customer: { phone: "+48600552001" },
  });
  const refund = postedTransaction(bus.topology, tenantId, TransactionInput.parse(refundBody)).payload;
  await applyTransactionBatch(ledger, [refund]);
  expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(1);

  // Only Date is faked (timers, pg and NATS keep running), and only for the sweep.
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 10 * 60_000 });
  try {
    await sweepParkedRefundsOnce({ db, bus, log: silentLogger, ledger });
  } finally {
    vi.useRealTimers();
  }
  expect(await db.transactionRejection.count({ where: { tenantId } })).toBe(0);
  expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(1);

  await applyTransactionBatch(ledger, [sale]);
  expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(0);
  expect(await db.transaction.count({ where: { id: refund.transactionId } })).toBe(1);
});
