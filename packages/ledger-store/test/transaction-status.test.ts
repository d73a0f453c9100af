import type { Db } from "@regulars/db";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyTransactionBatch,
  pruneAcceptanceRecords,
  recordReceipts,
  recordRejections,
  transactionStatus,
} from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const day = 24 * 60 * 60 * 1000;
const receipt = (tenantId: string, externalId: string, receivedAt: Date) => ({
  tenantId,
  externalId,
  transactionId: `txn_${externalId}`,
  receivedAt,
});

describe("transaction status", () => {
  it("accepted until decided; a rejection answers with its code and message; nothing known is null", async () => {
    const { tenantId } = await testTenant(db, "Status Store");
    await recordReceipts(db, [receipt(tenantId, "A-1", new Date())]);
    expect(await transactionStatus(db, tenantId, "A-1")).toMatchObject({
      status: "accepted",
      id: "txn_A-1",
      waitingForSale: null,
      conflicts: 0,
    });
    await recordRejections(db, [
      { tenantId, externalId: "A-1", bodyHash: "h", code: "unknown_customer", message: "unknown customer id cus_x" },
    ]);
    await recordRejections(db, [
      { tenantId, externalId: "A-1", bodyHash: "h", code: "processing_failed", message: "again" },
    ]); // the same body: kept once
    expect(await transactionStatus(db, tenantId, "A-1")).toMatchObject({
      status: "rejected",
      reason: { code: "unknown_customer", message: "unknown customer id cus_x" },
    });
    expect(await transactionStatus(db, tenantId, "NEVER")).toBeNull();
    const other = await testTenant(db, "Other Store");
    expect(await transactionStatus(db, other.tenantId, "A-1")).toBeNull();
  });
});

describe("the status of a refund waiting for its sale", () => {
  const waitMs = 60 * 60 * 1000;
  const apply = (...messages: Parameters<typeof applyTransactionBatch>[1]) =>
    applyTransactionBatch(ledgerDeps(db, { refundWaitMs: waitMs }), messages);
  const waitingRefund = async (phone: string) => {
    const tenant = await tenantWithProgramme(db, { rules: [base] }, "Status Waits");
    const sale = txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000), line("DRINK", 2_000)] });
    const refund = refundOf(tenant, sale, [{ ...line("MEAL", 1_000), lineNo: 0 }]);
    expect((await apply(refund)).outcomes).toEqual([{ kind: "done" }]); // parked: the sale is not there yet
    // Its wait runs from its parking, on the database's clock, not from the gateway's receipt.
    const { parkedAt } = await db.parkedRefund.findFirstOrThrow({ where: { tenantId: tenant } });
    const waiting = {
      status: "accepted",
      externalId: refund.transaction.externalId,
      id: refund.transactionId,
      receivedAt: refund.receivedAt,
      waitingForSale: {
        refundOf: sale.transaction.externalId,
        until: new Date(parkedAt.getTime() + waitMs).toISOString(),
      },
    };
    return { tenant, sale, refund, waiting };
  };

  it("reads accepted, waiting for its sale until its deadline, then processed once the sale arrives", async () => {
    const { tenant, sale, refund, waiting } = await waitingRefund("+48710000301");
    expect(await transactionStatus(db, tenant, refund.transaction.externalId)).toEqual({ ...waiting, conflicts: 0 });

    await apply(sale);
    expect(await transactionStatus(db, tenant, refund.transaction.externalId)).toMatchObject({
      status: "processed",
      type: "refund",
      pointsAwarded: -10,
      conflicts: 0,
    });
  });

  it("a changed body posted under its externalId is counted as a conflict, not read as the refund's rejection", async () => {
    const { tenant, sale, refund, waiting } = await waitingRefund("+48710000302");
    const changed = refundOf(tenant, sale, [{ ...line("DRINK", 2_000), lineNo: 1 }], {
      externalId: refund.transaction.externalId,
    });
    expect((await apply(changed)).outcomes).toEqual([
      { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: /) },
    ]);
    expect(await transactionStatus(db, tenant, refund.transaction.externalId)).toEqual({ ...waiting, conflicts: 1 });

    await apply(sale);
    expect(await transactionStatus(db, tenant, refund.transaction.externalId)).toMatchObject({
      status: "processed",
      type: "refund",
      pointsAwarded: -10,
      conflicts: 1,
    });
  });
});

describe("pruneAcceptanceRecords", () => {
  it("drops receipts older than 35 days and event decisions older than 60, only for the tenants asked", async () => {
    const a = (await testTenant(db, "Prune A")).tenantId;
    const b = (await testTenant(db, "Prune B")).tenantId;
    const now = new Date(Date.now() + 400 * day); // the clock is injected: everything below is relative to it
    for (const t of [a, b]) {
      await recordReceipts(db, [
        receipt(t, "old", new Date(now.getTime() - 36 * day)),
        receipt(t, "recent", new Date(now.getTime() - 34 * day)),
      ]);
      await db.appliedEvent.createMany({
        data: [
          { tenantId: t, eventId: "old", appliedAt: new Date(now.getTime() - 61 * day) },
          { tenantId: t, eventId: "recent", appliedAt: new Date(now.getTime() - 59 * day) },
        ],
      });
    }
    expect(await pruneAcceptanceRecords(db, now, { tenantIds: [a] })).toBe(2);
    const left = async (t: string) =>
      [
        ...(await db.transactionReceipt.findMany({ where: { tenantId: t }, select: { externalId: true } })).map(
          (r) => `receipt:${r.externalId}`,
        ),
        ...(await db.appliedEvent.findMany({ where: { tenantId: t }, select: { eventId: true } })).map(
          (r) => `event:${r.eventId}`,
        ),
      ].sort();
    expect(await left(a)).toEqual(["event:recent", "receipt:recent"]);
    expect(await left(b)).toEqual(["event:old", "event:recent", "receipt:old", "receipt:recent"]);
  });
});
