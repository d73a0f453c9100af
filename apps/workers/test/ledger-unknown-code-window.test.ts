import { type TransactionInput, TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId, stableId } from "@regulars/ids";
import { applyTransactionBatch } from "@regulars/ledger-store";
import { saleBody, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledgerDepsOf } from "../src/ledger/ledger-role.ts";

/**
 * The ledger counts a posted sale's unknown coupon codes against the key that posted it, and judges when the key's
 * window ended by COUPON_UNKNOWN_CODE_WINDOW_SECONDS as the gateway and the API do: the role's ledger must carry it.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const windowOf = async (tenantId: string, credentialId: string) => {
  const [row] = await db.$queryRaw<{ misses: number; started: Date }[]>`
    SELECT misses, window_started_at AS started FROM coupon_code_misses
    WHERE tenant_id = ${tenantId} AND credential_id = ${credentialId}`;
  return row!;
};

describe("the ledger role's unknown-code window", () => {
  it("is the configured one: a window older than it ends when a posted sale's unknown code is counted", async () => {
    const { tenantId } = await testTenant(db, "Ledger Code Window");
    const till = `key_${newId("request")}`;
    // Two unknown codes counted 2 minutes ago: inside the default 10-minute window, past a 30-second one.
    const started = new Date(Date.now() - 120_000);
    await db.$executeRaw`
      INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
      VALUES (${tenantId}, ${till}, ${started}, 2)`;
    const transaction = saleBody({ couponCodes: ["NO-SUCH-9"] }) as unknown as TransactionInput;
    const message = TransactionMessage.parse({
      tenantId,
      transactionId: stableId("transaction", tenantId, transaction.externalId),
      receivedAt: new Date().toISOString(),
      transaction,
      credentialId: till,
    });

    const deps = ledgerDepsOf({ db, unknownCodeLimit: { limit: 20, windowSeconds: 30 } });
    await applyTransactionBatch(deps, [message]);

    // A new window of its own, not a third code in the old one.
    const counted = await windowOf(tenantId, till);
    expect(counted.misses).toBe(1);
    expect(counted.started.getTime()).toBeGreaterThan(started.getTime());
    expect(deps.unknownCodeLimit).toEqual({ limit: 20, windowSeconds: 30 });
  });
});
