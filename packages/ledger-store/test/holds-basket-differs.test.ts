import type { TransactionMessage } from "@regulars/contracts";
import { type Db, prismaReader } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, findBalanceDrift, placeHold, saleHoldRefusals, transactionStatus } from "../src/index.ts";
import { line, txMessage } from "./batch-fixtures.ts";
import { apply, checkoutTenant, genericCoupon, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const holdRow = async (holdId: string) =>
  (
    await db.$queryRaw<{ status: string; ended_reason: string | null; transaction_id: string | null }[]>`
      SELECT status, ended_reason, transaction_id FROM checkout_holds WHERE id = ${holdId}`
  )[0];

const couponUses = (campaignId: string) =>
  db.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT status, count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaignId} GROUP BY status ORDER BY status`;

const codesOf = async (tenantId: string, m: TransactionMessage) => {
  const status = await transactionStatus(db, tenantId, m.transaction.externalId);
  if (status?.status !== "processed") throw new Error(`${m.transaction.externalId} is ${status?.status}`);
  return status.couponCodes;
};

/**
 * A hold of 200 points (€10) and a €2 coupon for baskets of €15 or more, on a burger (€12) and fries (€4): the
 * hold's quote takes €12 off. What each test's sale does with it.
 */
async function heldCheckout() {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const [c] = customers as [string];
  await givePoints(db, tenantId, c, 300);
  const campaign = await genericCoupon(db, tenantId, "BIG15", {
    benefit: { kind: "fixed_off", amount: 200 },
    conditions: { minBasket: 1500 },
  });
  const hold = await placeHold(deps, tenantId, holdRequest(c, { points: 200, couponCodes: ["BIG15"] }));
  return { tenantId, c, campaign, hold };
}

describe("a sale naming a hold priced on another basket", () => {
  it("is processed without it: the hold is released, its points not spent and its coupon use not committed", async () => {
    const { tenantId, c, campaign, hold } = await heldCheckout();
    // The burger was taken off the order after the hold: only the fries are sold, €4 taken off them.
    const sale = txMessage(tenantId, {
      customer: { id: c },
      channel: "kiosk",
      lines: [line("FRIES", 400, { discount: 400 })],
      couponCodes: ["BIG15"],
      holdId: hold.holdId,
    });
    await apply(db, [sale]);

    // Nothing spent, nothing earned (the fries were paid with the till's own discount).
    expect(await customerBalances(db, tenantId, c)).toMatchObject({ points: 300 });
    expect(await holdRow(hold.holdId)).toEqual({
      status: "released",
      ended_reason: expect.stringMatching(
        /^its sale's basket differed from the quote \(lines\.0\.sku is FRIES; the hold priced line 0 as BURGER\)$/,
      ),
      transaction_id: null,
    });
    expect(await couponUses(campaign)).toEqual([{ status: "released", n: 1n }]);
    // The posted code is judged on the basket sold, as for a lapsed hold: too small for the coupon.
    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "BIG15", counted: false, refusal: { code: "below_minimum_basket", message: expect.any(String) } },
    ]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("is processed without it when posted at another location", async () => {
    const { tenantId, c, campaign, hold } = await heldCheckout();
    const sale = saleWithHold(tenantId, c, hold.holdId, hold.quote.lines, { locationId: "store-002" });
    await apply(db, [sale]);

    // It earns on what was paid, as posted: the quote's discounts were given, but no points were spent on them.
    expect((await customerBalances(db, tenantId, c)).points).toBe(300 + Math.floor(sale.transaction.total / 100));
    expect(await holdRow(hold.holdId)).toMatchObject({
      status: "released",
      ended_reason: expect.stringContaining("(locationId is store-002; the hold was placed at store-001)"),
    });
    expect(await couponUses(campaign)).toEqual([{ status: "released", n: 1n }]);
  });

  it("is refused at the door and processed without it when posted on another channel", async () => {
    // The coupon was checked on the kiosk basket the hold priced: from the till it would not have been given.
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    const campaign = await genericCoupon(db, tenantId, "KIOSK-ONLY", {
      benefit: { kind: "fixed_off", amount: 300 },
      conditions: { channels: ["kiosk"] },
    });
    const hold = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["KIOSK-ONLY"] }));
    const sale = saleWithHold(tenantId, c, hold.holdId, hold.quote.lines, {
      channel: "pos",
      couponCodes: ["KIOSK-ONLY"],
    });
    const difference = { path: "channel", message: "is pos; the hold was placed on kiosk" };
    expect(await saleHoldRefusals(prismaReader(db), tenantId, [sale.transaction], new Date())).toEqual([
      { code: "hold_mismatch", issue: difference },
    ]);

    // Past an older gateway: the ledger gives the use back, and the code posted beside it is judged on the till.
    await apply(db, [sale]);
    expect(await holdRow(hold.holdId)).toMatchObject({
      status: "released",
      ended_reason: expect.stringContaining(`(channel ${difference.message})`),
    });
    expect(await couponUses(campaign)).toEqual([{ status: "released", n: 1n }]);
    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "KIOSK-ONLY", counted: false, refusal: { code: "wrong_channel", message: expect.any(String) } },
    ]);
  });

  it("commits the hold when the sale is its basket", async () => {
    const { tenantId, c, campaign, hold } = await heldCheckout();
    const sale = saleWithHold(tenantId, c, hold.holdId, hold.quote.lines);
    await apply(db, [sale]);

    expect(await holdRow(hold.holdId)).toMatchObject({ status: "committed", transaction_id: sale.transactionId });
    expect(await couponUses(campaign)).toEqual([{ status: "committed", n: 1n }]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(100 + Math.floor(sale.transaction.total / 100));
  });
});
