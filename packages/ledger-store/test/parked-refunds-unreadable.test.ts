import { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, expireParkedRefunds, transactionStatus } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A refund parked by an earlier release keeps the message as that release read it. When the contract tightens
// (a phone is now re-read until its canonical form holds and must have 7 to 15 digits), the stored message may no
// longer read: its sale's batch then failed on every retry, holding up the partition, and every sweep failed on it
// (the oldest row comes first), so no parked refund expired any more.

let db: Db;
const tenants: string[] = [];
beforeAll(() => {
  db = testDb();
});
afterEach(async () => {
  // Never leave an unreadable row behind for another test's sweep.
  await db.parkedRefund.deleteMany({ where: { tenantId: { in: tenants.splice(0) } } });
});
afterAll(async () => {
  await db?.$disconnect();
});

const hour = 3_600_000;

/** The parked refund's stored message as the previous release stored a phone posted as `+49006680`. */
async function storedAsBefore(refund: TransactionMessage): Promise<void> {
  await db.$executeRaw`
    UPDATE parked_refunds SET message = jsonb_set(message, '{transaction,customer,phone}', '"+496680"')
    WHERE tenant_id = ${refund.tenantId} AND transaction_id = ${refund.transactionId}`;
  const { message } = await db.parkedRefund.findUniqueOrThrow({
    where: { tenantId_transactionId: { tenantId: refund.tenantId, transactionId: refund.transactionId } },
  });
  expect(TransactionMessage.safeParse(message).success).toBe(false);
}

const rejectionOf = (tenantId: string, externalId: string) =>
  db.transactionRejection.findMany({ where: { tenantId, externalId }, select: { code: true, message: true } });

describe("a parked refund whose stored message no longer reads", () => {
  it("is rejected with the reason when its sale arrives; the sale's batch applies", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    tenants.push(tenant);
    const sale = txMessage(tenant, { customer: { phone: "+48710000301" }, lines: [line("MEAL", 1_000)] });
    const refund = refundOf(tenant, sale, [{ ...line("MEAL", 1_000), lineNo: 0 }], {
      customer: { phone: "+48710000301" },
    });
    expect((await applyTransactionBatch(ledgerDeps(db), [refund])).outcomes).toEqual([{ kind: "done" }]);
    await storedAsBefore(refund);
    const externalId = refund.transaction.externalId;

    // While it waits, its status reads and its externalId stays taken.
    expect(await transactionStatus(db, tenant, externalId)).toMatchObject({
      status: "accepted",
      waitingForSale: { refundOf: sale.transaction.externalId },
    });
    const reuse = refundOf(tenant, sale, [{ ...line("MEAL", 500), lineNo: 0 }], { externalId });
    expect((await applyTransactionBatch(ledgerDeps(db), [reuse])).outcomes).toEqual([
      { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: /) },
    ]);

    expect((await applyTransactionBatch(ledgerDeps(db), [sale])).outcomes).toEqual([{ kind: "done" }]);
    expect(await db.transaction.count({ where: { tenantId: tenant, externalId: sale.transaction.externalId } })).toBe(
      1,
    );
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(0);
    expect(await db.transaction.count({ where: { tenantId: tenant, externalId } })).toBe(0);
    const status = await transactionStatus(db, tenant, externalId);
    expect(status).toMatchObject({ status: "rejected", reason: { code: "contract_violation" } });
    const reason = status?.status === "rejected" ? status.reason.message : "";
    expect(reason).toContain("customer.phone");
    expect(reason).toContain(sale.transaction.externalId);
  });

  it("is rejected by the sweep and handed on raw, and the refunds behind it still expire", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    tenants.push(tenant);
    // Days ago under an injected clock: this sweep takes only long-overdue rows, never another test's.
    const sweptAt = new Date(Date.now() - 5 * 24 * hour);
    const park = async (receivedAt: Date, n: number) => {
      const sale = txMessage(tenant, { customer: { phone: `+4871000031${n}` } }, receivedAt);
      const refund = refundOf(tenant, sale, [line("MEAL", 500)], { customer: { phone: `+4871000031${n}` } });
      const message = { ...refund, receivedAt: receivedAt.toISOString() };
      const deps = ledgerDeps(db, { refundWaitMs: hour, now: () => receivedAt });
      expect((await applyTransactionBatch(deps, [message])).outcomes).toEqual([{ kind: "done" }]);
      return message;
    };
    // The unreadable one is the oldest: first in the sweep's slice.
    const unreadable = await park(new Date(sweptAt.getTime() - 3 * hour), 0);
    const others = [
      await park(new Date(sweptAt.getTime() - 2 * hour), 1),
      await park(new Date(sweptAt.getTime() - 2 * hour), 2),
    ];
    await storedAsBefore(unreadable);

    const expired = await expireParkedRefunds(db, sweptAt, hour);
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(0);
    for (const refund of others) {
      expect(await rejectionOf(tenant, refund.transaction.externalId)).toMatchObject([
        { code: "refunded_sale_not_found" },
      ]);
    }
    const [rejected, ...more] = await rejectionOf(tenant, unreadable.transaction.externalId);
    expect(more).toEqual([]);
    expect(rejected).toMatchObject({ code: "contract_violation", message: expect.stringContaining("customer.phone") });
    // Handed on as stored, to be dead-lettered for an operator (unless another sweep took it first).
    const mine = expired.find((r) => !r.message && r.transactionId === unreadable.transactionId);
    if (mine && !mine.message) {
      expect((mine.raw as { transaction: { customer: { phone: string } } }).transaction.customer.phone).toBe("+496680");
      expect(mine.reason).toBe(rejected!.message);
    }
  });
});
