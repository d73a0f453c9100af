import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, exportCustomer, postgresTextHits } from "../src/index.ts";
import { privacyTenant, seedCustomer } from "./fixtures.ts";
import { applyAtTill, tillMessage, uniqueExternalId } from "./parked-refunds.ts";

// A till may post a number with the 0 it kept after Poland's code (`+480601…`), while the customer's identity holds
// the valid spelling only (`+48601…`): a refund it parked names them all the same, for the export and for erasure.

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

const parkedOf = (tenantId: string) =>
  db.$queryRaw<{ transaction_id: string; message: TransactionMessage }[]>`
    SELECT transaction_id, message FROM parked_refunds WHERE tenant_id = ${tenantId} ORDER BY transaction_id`;

describe("a parked refund naming the other spelling of the customer's phone", () => {
  it("is in the export, and loses the phone on erasure", async () => {
    const { tenantId } = await privacyTenant(db);
    const now = new Date();
    const c = await seedCustomer(db, analytics, tenantId, now);
    const tillSpelling = c.phone.replace(/^\+48/, "+480");
    expect(await db.customerIdentity.count({ where: { tenantId, value: tillSpelling } })).toBe(0);
    const refund = tillMessage(tenantId, now, {
      externalId: uniqueExternalId("SPELL", "REFUND"),
      type: "refund",
      refundOf: uniqueExternalId("SPELL", "NEVER"),
      customer: { phone: tillSpelling },
    });
    expect((await applyAtTill(db, now, refund)).map((o) => o.kind)).toEqual(["done"]);
    expect((await parkedOf(tenantId)).map((p) => p.transaction_id)).toEqual([refund.transactionId]);

    const doc = await exportCustomer({ db, analytics }, tenantId, c.customerId, { actor: "key_admin", now });
    expect(doc.postgres.parked_refunds).toEqual([expect.objectContaining({ transaction_id: refund.transactionId })]);

    await eraseCustomer({ db, analytics }, tenantId, c.customerId, { actor: "key_admin", cause: "request", now });
    expect(await postgresTextHits(db, [tillSpelling, c.phone])).toEqual([]);
    const [parked] = await parkedOf(tenantId);
    expect(parked?.message.transaction.customer).toEqual({ id: c.customerId });
    // Its fingerprint as posted is kept, so a till's retry of it is still told from a conflict.
    const [hash] = await db.$queryRaw<{ body_hash: string | null }[]>`
      SELECT body_hash FROM parked_refunds WHERE tenant_id = ${tenantId} AND transaction_id = ${refund.transactionId}`;
    expect(hash?.body_hash).toBeTruthy();
  }, 120_000);
});
