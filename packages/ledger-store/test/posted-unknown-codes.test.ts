import type { TransactionMessage } from "@regulars/contracts";
import type { Db, RawTx, TransactionRunner } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch } from "../src/index.ts";
import { ledgerDeps, txMessage } from "./batch-fixtures.ts";
import { basket, checkoutTenant, genericCoupon } from "./checkout-fixtures.ts";

/**
 * A key that posts sales with coupon codes reads each code's outcome in the sale's status. The gateway reserves a
 * sale's unknown codes against that key before storing it and marks the message `codesCounted`; the ledger counts
 * the codes it answered `unknown_code` only for messages stamped with the key but stored before that (no mark).
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const misses = async (tenantId: string, credentialId: string) => {
  const [row] = await db.$queryRaw<{ misses: number; started: Date }[]>`
    SELECT misses, window_started_at AS started FROM coupon_code_misses
    WHERE tenant_id = ${tenantId} AND credential_id = ${credentialId}`;
  return row ?? null;
};

/** A sale as the gateway stamps it, posted by `credentialId` (none: a message from before keys were stamped). */
const saleBy = (tenantId: string, credentialId: string | undefined, couponCodes: string[]): TransactionMessage => {
  const m = txMessage(tenantId, { couponCodes, lines: basket().lines });
  return credentialId ? { ...m, credentialId } : m;
};

async function tenantWithOneCode() {
  const { tenantId } = await checkoutTenant(db);
  await genericCoupon(db, tenantId, "REAL-ONE", { benefit: { kind: "fixed_off", amount: 100 } });
  return tenantId;
}

describe("unknown coupon codes posted on sales", () => {
  it("are counted against the key that posted them, once per sale however often it is delivered", async () => {
    const tenantId = await tenantWithOneCode();
    const till = `key_${newId("request")}`;
    const other = `key_${newId("request")}`;
    const first = saleBy(tenantId, till, ["NO-SUCH-1", "REAL-ONE", "NO-SUCH-2"]);
    const second = saleBy(tenantId, till, ["NO-SUCH-3"]);
    const elsewhere = saleBy(tenantId, other, ["NO-SUCH-4"]);
    const known = saleBy(tenantId, `key_${newId("request")}`, ["REAL-ONE"]);
    await applyTransactionBatch(ledgerDeps(db), [first, second, elsewhere, known]);

    expect((await misses(tenantId, till))?.misses).toBe(3);
    expect((await misses(tenantId, other))?.misses).toBe(1);
    expect(await misses(tenantId, known.credentialId!)).toBeNull();

    // Redelivered (alone, and in a batch with a new sale): applied before, so not counted again.
    await applyTransactionBatch(ledgerDeps(db), [first]);
    await applyTransactionBatch(ledgerDeps(db), [second, saleBy(tenantId, till, ["NO-SUCH-5"])]);
    expect((await misses(tenantId, till))?.misses).toBe(4);
  });

  it("counts nothing for a message from before the gateway stamped its key", async () => {
    const tenantId = await tenantWithOneCode();
    await applyTransactionBatch(ledgerDeps(db), [saleBy(tenantId, undefined, ["NO-SUCH-1"])]);
    const [{ n }] = (await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM coupon_code_misses WHERE tenant_id = ${tenantId}`) as [{ n: bigint }];
    expect(n).toBe(0n);
  });

  it("counts nothing for a sale whose unknown codes the gateway reserved before storing it (codesCounted)", async () => {
    const tenantId = await tenantWithOneCode();
    const till = `key_${newId("request")}`;
    const reserved = { ...saleBy(tenantId, till, ["NO-SUCH-1", "NO-SUCH-2"]), codesCounted: true as const };
    const fromBefore = saleBy(tenantId, till, ["NO-SUCH-3"]);
    await applyTransactionBatch(ledgerDeps(db), [reserved, fromBefore]);
    expect((await misses(tenantId, till))?.misses).toBe(1);
    // Its status still tells the integrator which codes do not exist.
    const [row] = await db.$queryRaw<{ explanation: { couponCodes: { refusal: { code: string } | null }[] } }[]>`
      SELECT explanation FROM transactions WHERE id = ${reserved.transactionId}`;
    expect(row!.explanation.couponCodes.map((c) => c.refusal?.code)).toEqual(["unknown_code", "unknown_code"]);
  });

  it("counts nothing for a batch that rolled back, and once when the batch is applied again", async () => {
    const tenantId = await tenantWithOneCode();
    const till = `key_${newId("request")}`;
    const sales = [saleBy(tenantId, till, ["NO-SUCH-1", "NO-SUCH-2"]), saleBy(tenantId, till, ["NO-SUCH-3"])];
    const deps = ledgerDeps(db);
    // The worker dies after the batch's last statement and before its commit.
    const dying: TransactionRunner = {
      run: (fn) =>
        deps.transactions.run(async (tx: RawTx) => {
          await fn(tx);
          throw new Error("worker died before the commit");
        }),
      close: async () => {},
    };
    await expect(applyTransactionBatch({ ...deps, transactions: dying }, sales)).rejects.toThrow("died");
    expect(await misses(tenantId, till)).toBeNull();

    await applyTransactionBatch(deps, sales);
    expect((await misses(tenantId, till))?.misses).toBe(3);
  });

  it("starts a new window when the key's last one has ended, and adds to one in force", async () => {
    const tenantId = await tenantWithOneCode();
    const till = `key_${newId("request")}`;
    const limit = { limit: 20, windowSeconds: 600 };
    const now = new Date();
    const longAgo = new Date(now.getTime() - 601_000);
    await db.$executeRaw`
      INSERT INTO coupon_code_misses (tenant_id, credential_id, window_started_at, misses)
      VALUES (${tenantId}, ${till}, ${longAgo}, 20)`;
    const deps = { ...ledgerDeps(db, { now: () => now }), unknownCodeLimit: limit };
    await applyTransactionBatch(deps, [saleBy(tenantId, till, ["NO-SUCH-1"])]);
    expect(await misses(tenantId, till)).toEqual({ misses: 1, started: now });

    await applyTransactionBatch(deps, [saleBy(tenantId, till, ["NO-SUCH-2", "NO-SUCH-3"])]);
    expect(await misses(tenantId, till)).toEqual({ misses: 3, started: now });
  });
});
