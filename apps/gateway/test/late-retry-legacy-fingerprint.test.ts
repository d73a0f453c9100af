import { legacyTransactionFingerprint, TransactionInput } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { saleBody, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { recordedTransactions } from "../src/recorded-before.ts";

// A rejection recorded before null fields counted as omitted holds the body's older fingerprint: a faithful retry
// of it is the same body, as for a processed transaction's row.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

it("a faithful retry of a sale rejected under the older fingerprint is that sale, not a conflict", async () => {
  const { tenantId } = await testTenant(db, "Legacy rejection");
  const tx = TransactionInput.parse(saleBody({ externalId: "legacy-rejected-1", customer: null, holdId: null }));
  await db.$executeRaw`INSERT INTO transaction_rejections (tenant_id, external_id, body_hash, code, message)
    VALUES (${tenantId}, ${tx.externalId}, ${legacyTransactionFingerprint(tx)}, 'invalid_customer', 'refused')`;
  expect((await recordedTransactions(db, tenantId, [tx]))[0]).toBe("match");
  const changed = TransactionInput.parse(saleBody({ ...tx, locationId: "store-018" }));
  expect((await recordedTransactions(db, tenantId, [changed]))[0]).toBe("other");
});
