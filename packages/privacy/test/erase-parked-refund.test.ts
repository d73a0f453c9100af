import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { expireParkedRefunds, ledgerDefaults } from "@regulars/ledger-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, exportCustomer, postgresTextHits } from "../src/index.ts";
import { privacyTenant, seedCustomer } from "./fixtures.ts";
import { applyAtTill, tillMessage, uniqueExternalId } from "./parked-refunds.ts";

// A refund posted before its sale waits in parked_refunds as the till's whole message, which names the customer by
// phone: the export shows it, erasure leaves the refund to end as it would have but without the phone.

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

const externalId = (what: string) => uniqueExternalId("PARK", what);
const message = tillMessage;
const apply = (now: Date, ...messages: TransactionMessage[]) => applyAtTill(db, now, ...messages);

const parkedOf = (tenantId: string) =>
  db.$queryRaw<{ transaction_id: string; message: TransactionMessage }[]>`
    SELECT transaction_id, message FROM parked_refunds WHERE tenant_id = ${tenantId} ORDER BY transaction_id`;

describe("a refund waiting for its sale when its customer is erased", () => {
  it("is exported, loses the phone on erasure, and is still applied or rejected as before", async () => {
    const { tenantId } = await privacyTenant(db);
    const now = new Date();
    const c = await seedCustomer(db, analytics, tenantId, now);
    const saleId = externalId("SALE");
    const applied = message(tenantId, now, {
      externalId: externalId("REFUND"),
      type: "refund",
      refundOf: saleId,
      customer: { phone: c.phone },
    });
    const expiring = message(tenantId, now, {
      externalId: externalId("REFUND"),
      type: "refund",
      refundOf: externalId("NEVER"),
      customer: { phone: c.phone },
    });
    expect((await apply(now, applied, expiring)).map((o) => o.kind)).toEqual(["done", "done"]);
    expect(await parkedOf(tenantId)).toHaveLength(2);

    const doc = await exportCustomer({ db, analytics }, tenantId, c.customerId, { actor: "key_admin", now });
    expect(doc.postgres.parked_refunds).toHaveLength(2);
    expect(JSON.stringify(doc.postgres.parked_refunds)).toContain(c.phone);

    await eraseCustomer({ db, analytics }, tenantId, c.customerId, { actor: "key_admin", cause: "request", now });
    expect(await postgresTextHits(db, [c.phone])).toEqual([]);
    const parked = await parkedOf(tenantId);
    expect(parked.map((p) => p.message.transaction.customer)).toEqual([{ id: c.customerId }, { id: c.customerId }]);
    // Still the erased customer's rows, by id only, for a later export.
    const after = await exportCustomer({ db, analytics }, tenantId, c.customerId, { actor: "key_admin", now });
    expect(after.postgres.parked_refunds).toHaveLength(2);

    // Its sale comes: the refund is applied after it, its customer the sale's, as any parked refund's.
    const sale = message(tenantId, now, { externalId: saleId, customer: null });
    expect((await apply(now, sale)).map((o) => o.kind)).toEqual(["done"]);
    const [refund] = await db.$queryRaw<{ type: string; refund_of: string; customer_id: string | null }[]>`
      SELECT type, refund_of, customer_id FROM transactions WHERE id = ${applied.transactionId}`;
    expect(refund).toEqual({ type: "refund", refund_of: saleId, customer_id: null });

    // The other one's sale never comes: rejected at its deadline, its dead letter without the phone.
    const later = new Date(now.getTime() + ledgerDefaults.refundWaitMs + 60_000);
    const expired = (await expireParkedRefunds(db, later, ledgerDefaults.refundWaitMs)).filter(
      (r) => r.message?.tenantId === tenantId,
    );
    expect(expired.map((r) => r.message?.transactionId)).toEqual([expiring.transactionId]);
    expect(JSON.stringify(expired)).not.toContain(c.phone);
    const [rejection] = await db.$queryRaw<{ code: string }[]>`
      SELECT code FROM transaction_rejections
      WHERE tenant_id = ${tenantId} AND external_id = ${expiring.transaction.externalId}`;
    expect(rejection?.code).toBe("refunded_sale_not_found");
    expect(await parkedOf(tenantId)).toEqual([]);
  }, 120_000);
});
