import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customerBalances,
  customerSummary,
  findBalanceDrift,
  postMovements,
  quoteCheckout,
  transactionStatus,
} from "../src/index.ts";
import { apply, checkoutTenant, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";
import { placeConfirmedHold } from "./sms-fixture.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

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

const holdStatus = async (holdId: string) =>
  (
    await db.$queryRaw<{ status: string; ended_reason: string | null }[]>`
      SELECT status, ended_reason FROM checkout_holds WHERE id = ${holdId}`
  )[0];

describe("a hold placed after another lapsed", () => {
  it("ends the lapsed one, so its sale received before the expiry but applied late spends nothing twice", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    await giveWallet(tenantId, c, 300);
    const first = await placeConfirmedHold(db, deps, tenantId, holdRequest(c, { points: 100, wallet: 300 }));
    const expiry = Date.parse(first.expiresAt);
    // The first hold's sale reached the gateway a second before the hold expired; the ledger is behind.
    const firstSale = {
      ...saleWithHold(tenantId, c, first.holdId, first.quote.lines),
      receivedAt: new Date(expiry - 1_000).toISOString(),
    };

    // 30 s after the expiry, before any sweep: the lapsed hold reserves nothing, so a second hold gets it all.
    const later = { ...deps, now: () => new Date(expiry + 30_000) };
    const second = await placeConfirmedHold(db, later, tenantId, holdRequest(c, { points: 100, wallet: 300 }));
    const secondSale = {
      ...saleWithHold(tenantId, c, second.holdId, second.quote.lines),
      receivedAt: new Date(expiry + 31_000).toISOString(),
    };

    await apply(db, [firstSale]);
    await apply(db, [secondSale]);
    // Spent once, by the second hold. No claim kept the first hold (a sale the gateway accepts claims it), so the
    // first sale finds it ended and is rejected (hold_ended), earning nothing; the second earns on what it paid.
    const earned = Math.floor(secondSale.transaction.total / 100);
    expect(await customerBalances(db, tenantId, c)).toMatchObject({ points: earned, wallet: 0 });
    expect(await transactionStatus(db, tenantId, firstSale.transaction.externalId)).toMatchObject({
      status: "rejected",
      reason: { code: "hold_ended" },
    });
    // Ended as the sweep would have ended it, before its sale arrived.
    expect(await holdStatus(first.holdId)).toEqual({ status: "expired", ended_reason: "expired" });
    expect((await holdStatus(second.holdId))?.status).toBe("committed");
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});

describe("a hold past its expiry that the sweep has not reached yet", () => {
  it("reserves nothing in the customer's summary, as in a quote", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 200);
    await giveWallet(tenantId, c, 300);
    await placeConfirmedHold(db, deps, tenantId, holdRequest(c, { points: 50, wallet: 100 }));
    // Placed after the live one: a hold ends its customer's lapsed holds, as the sweep would, before it reserves.
    const tenMinutesAgo = { ...deps, now: () => new Date(Date.now() - 10 * 60_000) };
    const lapsed = await placeConfirmedHold(
      db,
      tenMinutesAgo,
      tenantId,
      holdRequest(c, { points: 100, wallet: 200, ttlSeconds: 60 }),
    );

    const { balances } = await customerSummary(db, tenantId, c);

    expect(balances).toMatchObject({ points: 200, wallet: 300, heldPoints: 50, heldWallet: 100 });
    const quote = await quoteCheckout(deps, tenantId, holdRequest(c));
    expect({ points: quote.points.held, wallet: quote.wallet.held }).toEqual({ points: 50, wallet: 100 });
    expect((await holdStatus(lapsed.holdId))?.status).toBe("held");
  });
});
