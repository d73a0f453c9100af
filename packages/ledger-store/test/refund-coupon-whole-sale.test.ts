import type { TransactionMessage } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, findBalanceDrift, postMovements } from "../src/index.ts";
import { refundOf } from "./batch-fixtures.ts";
import { apply, checkoutTenant, genericCoupon, holdRequest, saleWithHold } from "./checkout-fixtures.ts";
import { placeConfirmedHold } from "./sms-fixture.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A refund of the sale's line `lineNo`, as the till posts it: the line as sold, named by its number. */
const refundLine = (tenantId: string, sale: TransactionMessage, lineNo: number) =>
  refundOf(tenantId, sale, [{ ...sale.transaction.lines[lineNo]!, lineNo }]);

/**
 * Burger €12 and fries €4 paid entirely with €16 of wallet cash (the sale's total is 0), with a coupon that
 * credits 20 bonus points: what its refunds do with the coupon's use and credit.
 */
async function walletPaidSaleWithCoupon(refundReturnsUse = true) {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const customerId = customers[0]!;
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "bonus",
        unit: "wallet",
        amount: 1600,
        idempotencyKey: `gift:${newId("event")}`,
        occurredAt: anHourAgo,
      },
    ]),
  );
  const campaign = await genericCoupon(db, tenantId, "BONUS20", {
    benefit: { kind: "bonus_points", points: 20 },
    limits: {},
    refundReturnsUse,
  });
  const placed = await placeConfirmedHold(
    db,
    deps,
    tenantId,
    holdRequest(customerId, { wallet: 1600, couponCodes: ["BONUS20"] }),
  );
  const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
  expect(sale.transaction.total).toBe(0);
  const coupon = async () => {
    const uses = await db.$queryRaw<{ status: string }[]>`
      SELECT status FROM coupon_uses WHERE campaign_id = ${campaign}`;
    const takenBack = await db.$queryRaw<{ amount: bigint }[]>`
      SELECT amount FROM ledger_movements WHERE tenant_id = ${tenantId} AND idempotency_key LIKE 'coupon-undo:%'`;
    return { uses: uses.map((u) => u.status), takenBack: takenBack.map((t) => Number(t.amount)) };
  };
  return { tenantId, customerId, sale, coupon };
}

describe("a refund of a sale paid without money returns its coupon only when every line is refunded", () => {
  it("refunding the fries keeps the coupon used and its credit; refunding the burger too returns both, once", async () => {
    const { tenantId, customerId, sale, coupon } = await walletPaidSaleWithCoupon();
    await apply(db, [sale]);
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 20, wallet: 0 });
    expect(await coupon()).toEqual({ uses: ["committed"], takenBack: [] });

    await apply(db, [refundLine(tenantId, sale, 1)]);
    // The fries' €4 come back; the burger the customer keeps still carries the coupon.
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 20, wallet: 400 });
    expect(await coupon()).toEqual({ uses: ["committed"], takenBack: [] });

    await apply(db, [refundLine(tenantId, sale, 0)]);
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 0, wallet: 1600 });
    expect(await coupon()).toEqual({ uses: ["returned"], takenBack: [-20] });
    // The burger named again (nothing left to refund of it): nothing more.
    await apply(db, [refundLine(tenantId, sale, 0)]);
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 0, wallet: 1600 });
    expect(await coupon()).toEqual({ uses: ["returned"], takenBack: [-20] });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("both lines refunded one by one in a single batch return the coupon and take its credit back once", async () => {
    const { tenantId, customerId, sale, coupon } = await walletPaidSaleWithCoupon();
    await apply(db, [sale]);
    await apply(db, [refundLine(tenantId, sale, 1), refundLine(tenantId, sale, 0), refundLine(tenantId, sale, 1)]);
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 0, wallet: 1600 });
    expect(await coupon()).toEqual({ uses: ["returned"], takenBack: [-20] });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a campaign that keeps its uses: the credit is taken back by the refund that completes the sale, once", async () => {
    const { tenantId, customerId, sale, coupon } = await walletPaidSaleWithCoupon(false);
    await apply(db, [sale]);
    await apply(db, [refundLine(tenantId, sale, 1)]);
    expect(await coupon()).toEqual({ uses: ["committed"], takenBack: [] });
    await apply(db, [refundLine(tenantId, sale, 0)]);
    expect(await coupon()).toEqual({ uses: ["committed"], takenBack: [-20] });
    // Named again, in a batch of its own and twice in one: the sale is still refunded whole, its credit already back.
    await apply(db, [refundLine(tenantId, sale, 0)]);
    await apply(db, [refundLine(tenantId, sale, 1), refundLine(tenantId, sale, 0)]);
    expect(await coupon()).toEqual({ uses: ["committed"], takenBack: [-20] });
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 0, wallet: 1600 });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a sale and a refund of its fries in one batch keep the coupon used and its credit", async () => {
    const { tenantId, customerId, sale, coupon } = await walletPaidSaleWithCoupon();
    await apply(db, [sale, refundLine(tenantId, sale, 1)]);
    expect(await customerBalances(db, tenantId, customerId)).toMatchObject({ points: 20, wallet: 400 });
    expect(await coupon()).toEqual({ uses: ["committed"], takenBack: [] });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
