import type { TransactionMessage } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, findBalanceDrift, postMovements } from "../src/index.ts";
import { refundOf, tenantWithProgramme } from "./batch-fixtures.ts";
import { apply, checkoutProgramme, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";
import { placeConfirmedHold, smsInTransaction } from "./sms-fixture.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A programme whose refunds keep the points their sales spent. */
async function tenantKeepingSpentPoints() {
  const programme = {
    ...checkoutProgramme,
    redemption: { ...checkoutProgramme.redemption, refundReturnsPoints: false },
  };
  const tenantId = await tenantWithProgramme(db, programme, "Points Kept Burgers");
  const customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId, createdVia: "test" } });
  const deps = { db, programmes: new ProgrammeCache(db, 0), sendConfirmationSms: smsInTransaction };
  return { tenantId, customerId, deps };
}

async function giveWallet(tenantId: string, customerId: string, amount: number) {
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "bonus",
        unit: "wallet",
        amount,
        idempotencyKey: `gift:${newId("event")}`,
        occurredAt: new Date(Date.now() - 3_600_000),
      },
    ]),
  );
}

/** A refund of every line of a customer's sale, in full. */
const fullRefund = (tenantId: string, customerId: string, sale: TransactionMessage) =>
  refundOf(
    tenantId,
    sale,
    sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo })),
    { customer: { id: customerId } },
  );

describe("a refund under a programme that keeps the points its sales spent (refundReturnsPoints: false)", () => {
  it("still gives back the wallet cash the sale spent, but not the points", async () => {
    const { tenantId, customerId: c, deps } = await tenantKeepingSpentPoints();
    await givePoints(db, tenantId, c, 100);
    await giveWallet(tenantId, c, 500);
    const placed = await placeConfirmedHold(db, deps, tenantId, holdRequest(c, { points: 100, wallet: 300 }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    await apply(db, [sale]);
    const afterSale = await customerBalances(db, tenantId, c);
    expect(afterSale.wallet).toBe(200);

    await apply(db, [fullRefund(tenantId, c, sale)]);
    // The wallet cash is money: all 300 back. The spent points are not (the sale's earned points are reversed).
    const afterRefund = await customerBalances(db, tenantId, c);
    expect(afterRefund.wallet).toBe(500);
    expect(afterRefund.points).toBe(0);
    const returned = await db.$queryRaw<{ unit: string; amount: bigint }[]>`
      SELECT unit, amount FROM ledger_movements
      WHERE tenant_id = ${tenantId} AND idempotency_key LIKE 'unredeem%'`;
    expect(returned).toEqual([{ unit: "wallet", amount: 300n }]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
