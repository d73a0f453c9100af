import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, findBalanceDrift, transactionStatus, voidHold } from "../src/index.ts";
import { apply, claimForSale, holdOf200Points, saleWithHold } from "./checkout-fixtures.ts";

/**
 * A till gives a hold's discounts on the sale naming it. When that hold ended before the sale arrived (voided, expired
 * while the payment ran, or never one of the tenant's), nothing pays for those discounts: the gateway refuses such a
 * sale, and one that gets past it (an older gateway, a hold ended between the check and the claim) is rejected by the
 * ledger with `hold_ended`, readable from its status, instead of being processed as if the hold had paid.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A customer with 300 points, 200 of them held (€10 off), and the sale of the held basket naming the hold. */
async function heldSale() {
  const { tenantId, customerId, placed } = await holdOf200Points(db);
  const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
  const expiry = Date.parse(placed.expiresAt);
  const status = (m: TransactionMessage = sale) => transactionStatus(db, tenantId, m.transaction.externalId);
  const points = async () => (await customerBalances(db, tenantId, customerId)).points;
  const hold = async () =>
    (
      await db.$queryRaw<{ status: string; transaction_id: string | null }[]>`
        SELECT status, transaction_id FROM checkout_holds WHERE id = ${placed.holdId}`
    )[0]!;
  return { tenantId, customerId, holdId: placed.holdId, sale, expiry, status, points, hold };
}

const receivedAt = (m: TransactionMessage, at: number): TransactionMessage => ({
  ...m,
  receivedAt: new Date(at).toISOString(),
});

describe("a sale naming a hold that ended before it arrived", () => {
  it("is rejected with hold_ended when the payment ran past the hold's expiry, the balance unchanged", async () => {
    const h = await heldSale();
    const late = receivedAt(h.sale, h.expiry + 60_000);
    await apply(db, [late]);

    expect(await h.status(late)).toMatchObject({
      status: "rejected",
      reason: { code: "hold_ended", message: expect.stringContaining(`checkout hold ${h.holdId} expired at`) },
    });
    // No points spent, none earned on the posted amounts.
    expect(await h.points()).toBe(300);
    expect((await h.hold()).status).toBe("expired");
    expect(await findBalanceDrift(db, h.tenantId)).toEqual([]);
  });

  it("is rejected with hold_ended when the hold was voided, or is unknown to the tenant", async () => {
    const h = await heldSale();
    await voidHold(db, h.tenantId, h.holdId);
    const unknown = saleWithHold(h.tenantId, h.customerId, "hld_no_such_hold", []);
    await apply(db, [h.sale, unknown]);

    expect(await h.status()).toMatchObject({
      status: "rejected",
      reason: { code: "hold_ended", message: expect.stringContaining("was released") },
    });
    expect(await h.status(unknown)).toMatchObject({
      status: "rejected",
      reason: { code: "hold_ended", message: expect.stringContaining("is not a checkout hold of this tenant") },
    });
    expect(await h.points()).toBe(300);
  });
});

describe("a sale naming the hold it committed", () => {
  it("redelivered, changes nothing and is not rejected", async () => {
    const h = await heldSale();
    await apply(db, [h.sale]);
    const processed = await h.points();
    await apply(db, [h.sale]);

    expect(await h.status()).toMatchObject({ status: "processed" });
    expect(await h.hold()).toMatchObject({ status: "committed", transaction_id: h.sale.transactionId });
    expect(await h.points()).toBe(processed);
    expect(processed).toBe(300 - 200 + Math.floor(h.sale.transaction.total / 100));
  });
});

describe("a sale whose claim keeps its hold past the expiry", () => {
  it("commits the hold when its retry is received after the expiry, within the claim's grace", async () => {
    const h = await heldSale();
    // Claimed a second before the expiry, but that try was never stored; the till retried a minute after it.
    await claimForSale(db, h.tenantId, h.holdId, receivedAt(h.sale, h.expiry - 1_000));
    await apply(db, [receivedAt(h.sale, h.expiry + 60_000)]);

    expect(await h.status()).toMatchObject({ status: "processed" });
    expect(await h.hold()).toMatchObject({ status: "committed", transaction_id: h.sale.transactionId });
    expect(await h.points()).toBe(300 - 200 + Math.floor(h.sale.transaction.total / 100));
  });
});
