import type { Db, DbTx } from "@regulars/db";
import { loadProcessedEvents } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { markVoidedSales, type SaleKey, voidedFactsOf } from "../src/behaviour/voided.ts";
import { readBehaviourProfile, recordProcessedTransactions } from "../src/index.ts";
import { DAY, tillCustomer } from "./behaviour-fixtures.ts";
import { applyAtTill, loyaltyTenant, tillMessage } from "./fixtures.ts";

// Judging whether refunds voided a sale reads only sales that have a refund: nearly every batch holds plain sales,
// and judging each of them read its row (and its refunds' index) for a verdict that is always "not void". The rows
// read are counted by Postgres's statistics of this transaction, not timed.

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** The rows of `transactions` this transaction has read so far: from its heap by scans and from its indexes. */
async function transactionRowsRead(tx: DbTx): Promise<number> {
  const [row] = await tx.$queryRaw<{ read: bigint }[]>`
    SELECT pg_stat_get_xact_tuples_returned('transactions'::regclass)
      + coalesce(sum(pg_stat_get_xact_tuples_returned(i.indexrelid)), 0) AS read
    FROM pg_index i WHERE i.indrelid = 'transactions'::regclass`;
  return Number(row!.read);
}

describe("judging voided sales", () => {
  it("reads no row of a batch of sales without refunds, and still marks the one its refund voided", async () => {
    const { tenantId } = await loyaltyTenant(db, "Profile Voided Judging");
    const { id, phone } = await tillCustomer(db, tenantId, new Date(now.getTime() - 200 * DAY));
    const plain = Array.from({ length: 12 }, (_, i) => tillMessage(tenantId, { phone, total: 500 + i }, now, 60 + i));
    const refunded = tillMessage(tenantId, { phone, total: 900 }, now, 30);
    const refund = tillMessage(
      tenantId,
      { type: "refund", refundOf: refunded.transaction.externalId, total: 900 },
      now,
    );
    await applyAtTill(db, now, ...plain, refunded);
    await applyAtTill(db, now, refund);
    const messages = [...plain, refunded, refund];
    const events = await loadProcessedEvents(
      db,
      messages.map((m) => m.transactionId),
    );
    await recordProcessedTransactions(
      db,
      messages.map((m) => events.get(m.transactionId)!),
    );
    const keyOf = (m: (typeof plain)[number]): SaleKey => ({ tenantId, externalId: m.transaction.externalId });

    await db.$transaction(async (tx) => {
      const before = await transactionRowsRead(tx);
      expect(await markVoidedSales(tx, plain.map(keyOf))).toBe(0);
      expect(await voidedFactsOf(tx, plain.map(keyOf))).toEqual([]);
      expect(await transactionRowsRead(tx)).toBe(before);
      await voidedFactsOf(tx, [keyOf(refunded)]); // the count sees what judging reads: a refunded sale is read
      expect(await transactionRowsRead(tx)).toBeGreaterThan(before);
    });

    // In the same batch, the refunded sale is judged as before: its fact and its refund's are the voided ones.
    const voided = await voidedFactsOf(db, [...plain, refunded].map(keyOf));
    expect(voided.map((f) => f.transactionId).sort()).toEqual([refunded.transactionId, refund.transactionId].sort());
    const profile = await readBehaviourProfile(db, tenantId, id, now);
    expect(profile.windows.d7.orders).toBe(plain.length);
  });
});
