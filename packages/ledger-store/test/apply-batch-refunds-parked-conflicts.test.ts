import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, findBalanceDrift, transactionStatus } from "../src/index.ts";
import {
  base,
  gatedBeforeCommit,
  ledgerDeps,
  line,
  refundOf,
  tenantWithProgramme,
  txMessage,
} from "./batch-fixtures.ts";

// A refund waits up to a day for its sale, far longer than the gateway's duplicate window: a later post under
// its externalId reaches the ledger while it waits, and must be told apart from a retry there.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const apply = (...messages: Parameters<typeof applyTransactionBatch>[1]) =>
  applyTransactionBatch(ledgerDeps(db), messages);
const customerOf = async (tenantId: string, phone: string) =>
  (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
const rejectionsOf = async (tenantId: string, externalId: string) =>
  db.transactionRejection.findMany({ where: { tenantId, externalId }, select: { code: true, message: true } });
const conflict = { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: /) };

describe("a refund waiting for its sale keeps its externalId", () => {
  it("a changed body posted under it while it waits is refused as a conflict; the waiting refund applies as first posted", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, {
      customer: { phone: "+48710000201" },
      lines: [line("MEAL", 1_000), line("DRINK", 2_000)],
    });
    const refund = refundOf(tenant, sale, [{ ...line("MEAL", 1_000), lineNo: 0 }]);
    await apply(refund); // parked: the sale is not there yet
    const changed = refundOf(tenant, sale, [{ ...line("DRINK", 2_000), lineNo: 1 }], {
      externalId: refund.transaction.externalId,
    });

    expect((await apply(changed)).outcomes).toEqual([conflict]);
    expect((await apply(refund)).outcomes).toEqual([{ kind: "done" }]); // a redelivery of the first is no conflict
    const [recorded, ...more] = await rejectionsOf(tenant, refund.transaction.externalId);
    expect(more).toEqual([]);
    expect(recorded).toMatchObject({ code: "idempotency_conflict" });
    expect(recorded!.message).toContain(refund.transaction.externalId);

    await apply(sale);
    const refunded = await db.transactionLine.findMany({ where: { transactionId: refund.transactionId } });
    expect(refunded.map((l) => [l.sku, l.refundsLineNo])).toEqual([["MEAL", 0]]);
    expect(await transactionStatus(db, tenant, refund.transaction.externalId)).toMatchObject({
      status: "processed",
      pointsAwarded: -10,
      conflicts: 1,
    });
    expect((await customerBalances(db, tenant, await customerOf(tenant, "+48710000201"))).points).toBe(20);
  });

  it("a sale posted under it while it waits is refused as a conflict; the refund still applies when its sale arrives", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48710000202" }, lines: [line("MEAL", 1_000)] });
    const refund = refundOf(tenant, sale, [{ ...line("MEAL", 1_000), lineNo: 0 }]);
    await apply(refund);
    const reuse = txMessage(tenant, {
      externalId: refund.transaction.externalId,
      customer: { phone: "+48710000202" },
      lines: [line("MEAL", 500)],
    });

    expect((await apply(reuse)).outcomes).toEqual([conflict]);
    expect(await rejectionsOf(tenant, refund.transaction.externalId)).toMatchObject([{ code: "idempotency_conflict" }]);

    await apply(sale);
    expect(await transactionStatus(db, tenant, refund.transaction.externalId)).toMatchObject({
      status: "processed",
      type: "refund",
      pointsAwarded: -10,
      conflicts: 1,
    });
    expect((await customerBalances(db, tenant, await customerOf(tenant, "+48710000202"))).points).toBe(0);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });

  it("a sale that took its externalId while it was being parked gets it refused, with the reason, when its sale arrives", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48710000203" }, lines: [line("MEAL", 1_000)] });
    const refund = refundOf(tenant, sale, [{ ...line("MEAL", 1_000), lineNo: 0 }]);
    const reuse = txMessage(tenant, {
      externalId: refund.transaction.externalId,
      customer: { phone: "+48710000203" },
      lines: [line("MEAL", 500)],
    });
    // Two workers: one parks the refund, the other, not seeing that parking yet, applies the sale under its id.
    const gated = gatedBeforeCommit();
    const parking = applyTransactionBatch({ ...ledgerDeps(db), transactions: gated.runner }, [refund]);
    await gated.reached;
    expect((await apply(reuse)).outcomes).toEqual([{ kind: "done" }]);
    gated.open();
    await parking;
    await gated.runner.close();
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(1);

    await apply(sale);
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(0);
    const [recorded, ...more] = await rejectionsOf(tenant, refund.transaction.externalId);
    expect(more).toEqual([]);
    expect(recorded).toMatchObject({ code: "idempotency_conflict" });
    expect(recorded!.message).toContain(refund.transaction.externalId);
    expect(await transactionStatus(db, tenant, refund.transaction.externalId)).toMatchObject({
      status: "processed",
      type: "sale",
      conflicts: 1,
    });
    // The refund was not applied: the customer keeps the sale's points, and the conflict says so.
    expect((await customerBalances(db, tenant, await customerOf(tenant, "+48710000203"))).points).toBe(15);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });
});
