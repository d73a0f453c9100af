import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, placeHold } from "../src/index.ts";
import { refundOf, txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, givePoints, holdRequest } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/**
 * A hold's sale posted at list price (the till left the hold's discounts out: accepted, paid after checkout), and a
 * refund of its first line in full, applied in the sale's batch or in a later one.
 */
async function refundOfListPriceLine(sameBatch: boolean) {
  const { tenantId, customers, deps } = await checkoutTenant(db);
  const customerId = customers[0]!;
  await givePoints(db, tenantId, customerId, 200);
  const placed = await placeHold(deps, tenantId, holdRequest(customerId, { points: 200 }));
  const sale = txMessage(tenantId, {
    customer: { id: customerId },
    channel: "kiosk",
    lines: basket().lines,
    holdId: placed.holdId,
  });
  const refund = refundOf(tenantId, sale, [{ ...sale.transaction.lines[0]!, lineNo: 0 }], { channel: "kiosk" });
  const outcomes = sameBatch
    ? (await apply(db, [sale, refund])).outcomes
    : [...(await apply(db, [sale])).outcomes, ...(await apply(db, [refund])).outcomes];
  const rejection = await db.transactionRejection.findFirst({
    where: { tenantId, externalId: refund.transaction.externalId },
  });
  const stored = await db.transaction.findFirst({ where: { tenantId, externalId: refund.transaction.externalId } });
  return {
    outcomes: outcomes.map((o) => o.kind),
    rejection: rejection && `${rejection.code}: ${rejection.message}`,
    refund: stored && { total: stored.total, points: stored.pointsAwarded, effects: stored.effects },
    balances: await customerBalances(db, tenantId, customerId),
  };
}

describe("a refund of a sale line", () => {
  it("is judged on the line as posted, whether its sale was stored by an earlier batch or is in its own", async () => {
    const later = await refundOfListPriceLine(false);
    const same = await refundOfListPriceLine(true);
    expect(later.rejection).toBeNull();
    expect(later.refund?.total).toBe(1200n);
    expect(same).toEqual(later);
  });
});
