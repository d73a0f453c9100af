import { type TransactionMessage, transactionFingerprint } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { expireParkedRefunds, ledgerDefaults } from "@regulars/ledger-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer } from "../src/index.ts";
import { privacyTenant, seedCustomer } from "./fixtures.ts";
import { applyAtTill, tillMessage, uniqueExternalId } from "./parked-refunds.ts";

// Erasure takes the phone out of a parked refund's message, but a till may still retry the refund as it posted it
// (past the gateway's duplicate window) or the stream may redeliver it: that is a repeat, not a conflict, which would
// be rejected and dead-lettered with the very phone the erasure took out.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const externalId = (what: string) => uniqueExternalId("PARKR", what);
const message = tillMessage;
const apply = (now: Date, ...messages: TransactionMessage[]) => applyAtTill(db, now, ...messages);

const rejectionsOf = (tenantId: string, m: TransactionMessage) =>
  db.$queryRaw<{ code: string; body_hash: string }[]>`
    SELECT code, body_hash FROM transaction_rejections
    WHERE tenant_id = ${tenantId} AND external_id = ${m.transaction.externalId}`;

async function parkedForErasure(erase = true) {
  const { tenantId } = await privacyTenant(db);
  const now = new Date();
  const c = await seedCustomer(db, analytics, tenantId, now);
  const saleId = externalId("SALE");
  const refund = message(tenantId, now, {
    externalId: externalId("REFUND"),
    type: "refund",
    refundOf: saleId,
    customer: { phone: c.phone },
  });
  expect(await apply(now, refund)).toEqual([{ kind: "done" }]); // parked: its sale is not there yet
  const erased = async () => {
    await eraseCustomer({ db, analytics }, tenantId, c.customerId, { actor: "key_admin", cause: "request", now });
    const [row] = await db.parkedRefund.findMany({ where: { tenantId } });
    expect((row!.message as TransactionMessage).transaction.customer).toEqual({ id: c.customerId });
  };
  if (erase) await erased();
  return { tenantId, now, c, saleId, refund, erased };
}

describe("a parked refund retried as posted after its customer's erasure", () => {
  it("is a repeat while it waits and after its sale applied it: nothing rejected", async () => {
    const { tenantId, now, saleId, refund } = await parkedForErasure();

    expect(await apply(now, refund)).toEqual([{ kind: "done" }]);
    expect(await rejectionsOf(tenantId, refund)).toEqual([]);

    const sale = message(tenantId, now, { externalId: saleId, customer: null });
    expect(await apply(now, sale)).toEqual([{ kind: "done" }]);
    expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(0);
    // Applied from the redacted message, it keeps the fingerprint of the body as posted.
    const stored = await db.transaction.findUniqueOrThrow({ where: { id: refund.transactionId } });
    expect(stored.bodyHash).toBe(transactionFingerprint(refund.transaction));
    expect(await apply(now, refund)).toEqual([{ kind: "done" }]);
    expect(await rejectionsOf(tenantId, refund)).toEqual([]);
  }, 120_000);

  it("with another body is still a conflict", async () => {
    const { tenantId, now, refund } = await parkedForErasure();
    const changed = { ...refund, transaction: { ...refund.transaction, total: 400 } };

    expect(await apply(now, changed)).toEqual([
      { kind: "reject", reason: expect.stringMatching(/^idempotency_conflict: /) },
    ]);
    expect(await rejectionsOf(tenantId, refund)).toMatchObject([{ code: "idempotency_conflict" }]);
  }, 120_000);

  it("is a repeat when it was parked before the fingerprint was kept: the erasure keeps it before redacting", async () => {
    const { tenantId, now, refund, erased } = await parkedForErasure(false);
    // As parked before migration 0064: no fingerprint, the message as posted.
    await db.parkedRefund.updateMany({ where: { tenantId }, data: { bodyHash: null } });
    expect(await apply(now, refund)).toEqual([{ kind: "done" }]);

    await erased();
    const [row] = await db.parkedRefund.findMany({ where: { tenantId } });
    expect(row!.bodyHash).toBe(transactionFingerprint(refund.transaction));
    expect(await apply(now, refund)).toEqual([{ kind: "done" }]);
    expect(await rejectionsOf(tenantId, refund)).toEqual([]);

    // Its sale never comes: rejected at its deadline under the fingerprint the till's retries carry.
    const later = new Date(now.getTime() + ledgerDefaults.refundWaitMs + 60_000);
    await expireParkedRefunds(db, later, ledgerDefaults.refundWaitMs);
    expect(await rejectionsOf(tenantId, refund)).toEqual([
      { code: "refunded_sale_not_found", body_hash: transactionFingerprint(refund.transaction) },
    ]);
  }, 120_000);
});
