import type { TransactionMessage } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, findBalanceDrift, placeHold, postMovements } from "../src/index.ts";
import { line, refundOf, txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";
import { placeConfirmedHold } from "./sms-fixture.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A customer of the checkout tenant with `cash` of wallet cash to spend. */
async function withWallet(cash: number) {
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
        amount: cash,
        idempotencyKey: `gift:${newId("event")}`,
        occurredAt: anHourAgo,
      },
    ]),
  );
  return { tenantId, customerId, deps };
}

/** A refund of the sale's line `lineNo`, as the till posts it: the line as sold, named by its number. */
const refundLine = (tenantId: string, sale: TransactionMessage, lineNo: number) =>
  refundOf(tenantId, sale, [{ ...sale.transaction.lines[lineNo]!, lineNo }]);

describe("a refund gives back a checkout's redemptions by the lines they covered", () => {
  it("burger and fries paid with €16 of wallet cash: refunding the fries gives back €4, the burger the rest", async () => {
    const { tenantId, customerId, deps } = await withWallet(2000);
    const placed = await placeConfirmedHold(db, deps, tenantId, holdRequest(customerId, { wallet: 1600 }));
    const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
    expect(sale.transaction.total).toBe(0);
    await apply(db, [sale]);
    expect((await customerBalances(db, tenantId, customerId)).wallet).toBe(400);

    await apply(db, [refundLine(tenantId, sale, 1)]);
    expect((await customerBalances(db, tenantId, customerId)).wallet).toBe(800);
    // The burger later: the rest comes back, and a refund of it again gives nothing more.
    await apply(db, [refundLine(tenantId, sale, 0)]);
    expect((await customerBalances(db, tenantId, customerId)).wallet).toBe(2000);
    await apply(db, [refundLine(tenantId, sale, 0)]);
    expect((await customerBalances(db, tenantId, customerId)).wallet).toBe(2000);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("both lines refunded one by one in a single batch give back the €16 once", async () => {
    const { tenantId, customerId, deps } = await withWallet(2000);
    const placed = await placeConfirmedHold(db, deps, tenantId, holdRequest(customerId, { wallet: 1600 }));
    const sale = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
    await apply(db, [sale]);
    await apply(db, [refundLine(tenantId, sale, 1), refundLine(tenantId, sale, 0), refundLine(tenantId, sale, 1)]);
    expect((await customerBalances(db, tenantId, customerId)).wallet).toBe(2000);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a free veg puff for 20 points: refunding the burger gives back none of them, the puff all of them", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const c = customers[0]!;
    await givePoints(db, tenantId, c, 20);
    const lines = [line("BURGER", 1200), line("PUFF", 300)];
    const placed = await placeHold(deps, tenantId, holdRequest(c, { basket: basket(lines), rewardIds: ["veg-puff"] }));
    const paid = lines.map((l, i) => ({ ...l, discount: placed.quote.lines[i]!.discount }));
    const sale = txMessage(tenantId, { customer: { id: c }, channel: "kiosk", lines: paid, holdId: placed.holdId });
    await apply(db, [sale]);
    // 20 - 20 for the puff + 12 earned on the burger's €12.
    expect((await customerBalances(db, tenantId, c)).points).toBe(12);

    await apply(db, [refundLine(tenantId, sale, 0)]);
    // The burger's 12 points go back; the puff the customer keeps is still paid for.
    expect((await customerBalances(db, tenantId, c)).points).toBe(0);
    await apply(db, [refundLine(tenantId, sale, 1)]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(20);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
