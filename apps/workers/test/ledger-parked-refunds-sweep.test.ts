import { type Bus, readDeadLetters } from "@regulars/bus";
import { TransactionInput, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { postedTransaction, saleBody, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
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
