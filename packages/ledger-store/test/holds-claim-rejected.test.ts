import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, recordDeadLetteredTransaction, transactionStatus, voidHold } from "../src/index.ts";
import { apply, claimForSale, holdOf200Points, saleWithHold } from "./checkout-fixtures.ts";

/**
 * A hold claimed by a sale the gateway accepted cannot be voided while the claim's grace runs: the ledger will commit it
 * with that sale. A sale the ledger rejects commits nothing, so its claim goes with the rejection: the till can void the
 * hold at once, and it lapses at its own expiry, not a grace after it.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A customer's hold of 200 points, claimed by a sale received now naming `customer` (unknown: the ledger rejects it). */
async function claimedHold(customer: "known" | "unknown") {
  const { tenantId, customerId, placed } = await holdOf200Points(db);
  const named = customer === "known" ? customerId : NOBODY;
  const sale = saleWithHold(tenantId, named, placed.holdId, placed.quote.lines);
  await claimForSale(db, tenantId, placed.holdId, sale);
  const status = async () => (await transactionStatus(db, tenantId, sale.transaction.externalId))?.status;
  return { tenantId, customerId, holdId: placed.holdId, sale, status };
}

/** A customer id nobody has: the ledger rejects a sale naming it (`unknown_customer`). */
const NOBODY = "cus_nobody00000000";

const voiding = (tenantId: string, holdId: string) =>
  voidHold(db, tenantId, holdId).catch((e: unknown) => (e instanceof DomainError ? e.code : e));

describe("voiding a hold claimed by a sale", () => {
  it("succeeds at once when the ledger rejected that sale, and frees its points", async () => {
    const { tenantId, customerId, holdId, sale, status } = await claimedHold("unknown");
    expect(await voiding(tenantId, holdId)).toBe("hold_ended");
    await apply(db, [sale]);
    expect(await status()).toBe("rejected");

    expect(await voiding(tenantId, holdId)).toEqual({ holdId, status: "released" });
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(300);
  });

  it("succeeds at once when that sale was dead-lettered and recorded rejected", async () => {
    const { tenantId, holdId, sale, status } = await claimedHold("known");
    await recordDeadLetteredTransaction(db, {
      payload: JSON.stringify(sale),
      reason: "the batch failed on its own",
      category: "retries_exhausted",
    });
    expect(await status()).toBe("rejected");

    expect(await voiding(tenantId, holdId)).toEqual({ holdId, status: "released" });
  });

  it("is still refused when the ledger processed that sale: it committed the hold", async () => {
    const { tenantId, holdId, sale, status } = await claimedHold("known");
    await apply(db, [sale]);
    expect(await status()).toBe("processed");

    expect(await voiding(tenantId, holdId)).toBe("hold_ended");
  });

  it("is still refused when the ledger rejected another sale naming the hold, received after the claim", async () => {
    const { tenantId, holdId, sale } = await claimedHold("known");
    const other: TransactionMessage = {
      ...saleWithHold(tenantId, NOBODY, holdId, []),
      receivedAt: new Date(Date.parse(sale.receivedAt) + 1_000).toISOString(),
    };
    await apply(db, [other]);

    expect(await voiding(tenantId, holdId)).toBe("hold_ended");
  });
});
