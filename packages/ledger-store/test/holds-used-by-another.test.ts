import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimHeldHolds, customerBalances, findBalanceDrift, transactionStatus, voidHold } from "../src/index.ts";
import { apply, claimForSale, holdOf200Points, saleWithHold } from "./checkout-fixtures.ts";

/**
 * A checkout hold pays for one sale. A second sale naming it (past an older gateway, or claimed before claims named
 * their sale) must not be processed as if the hold had paid its discounts: the ledger rejects it with `hold_used`,
 * naming the sale that has the hold, and the hold stays that sale's. A rejected sale gives back only its own claim,
 * told by its `externalId`, not by the time it was received, which two sales of one request share.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A customer's hold of 200 points (€10 off the €16 basket) and two sales of that basket naming it, received at once. */
async function holdAndTwoSales() {
  const { tenantId, customerId, placed } = await holdOf200Points(db);
  const first = saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines);
  const second: TransactionMessage = {
    ...saleWithHold(tenantId, customerId, placed.holdId, placed.quote.lines),
    receivedAt: first.receivedAt,
  };
  const status = async (m: TransactionMessage) => transactionStatus(db, tenantId, m.transaction.externalId);
  const hold = async () =>
    (
      await db.$queryRaw<{ status: string; transaction_id: string | null; claimed_at: Date | null }[]>`
        SELECT status, transaction_id, claimed_at FROM checkout_holds WHERE id = ${placed.holdId}`
    )[0]!;
  return { tenantId, customerId, holdId: placed.holdId, first, second, status, hold };
}

describe("a second sale naming a hold", () => {
  it("is rejected with hold_used once the hold was committed to the first, which keeps it", async () => {
    const h = await holdAndTwoSales();
    await apply(db, [h.first]);
    await apply(db, [h.second]);

    expect(await h.status(h.second)).toMatchObject({
      status: "rejected",
      reason: {
        code: "hold_used",
        message: expect.stringMatching(
          `hold ${h.holdId} pays for one sale only.*committed to sale ${h.first.transaction.externalId}`,
        ),
      },
    });
    expect(await h.hold()).toMatchObject({ status: "committed", transaction_id: h.first.transactionId });
    // The 200 points spent once, 6 earned on the first sale's €6.
    expect((await customerBalances(db, h.tenantId, h.customerId)).points).toBe(300 - 200 + 6);
    expect(await findBalanceDrift(db, h.tenantId)).toEqual([]);
  });

  type Sales = Awaited<ReturnType<typeof holdAndTwoSales>>;
  it.each([
    ["applied before the first", (h: Sales) => [[h.second], [h.first]]],
    ["applied with the first, before it in the batch", (h: Sales) => [[h.second, h.first]]],
  ])("is rejected with hold_used while the first sale's claim holds it, %s", async (_, batches) => {
    const h = await holdAndTwoSales();
    const claim = { holdId: h.holdId, externalId: h.first.transaction.externalId };
    await claimHeldHolds(db, h.tenantId, [claim], new Date(h.first.receivedAt));
    for (const batch of batches(h)) await apply(db, batch);

    expect(await h.status(h.second)).toMatchObject({
      status: "rejected",
      reason: { code: "hold_used", message: expect.stringContaining(`claimed by sale ${claim.externalId}`) },
    });
    expect(await h.status(h.first)).toMatchObject({ status: "processed" });
    expect(await h.hold()).toMatchObject({ status: "committed", transaction_id: h.first.transactionId });
    expect((await customerBalances(db, h.tenantId, h.customerId)).points).toBe(300 - 200 + 6);
  });

  it("is rejected after the first sale of the same batch when no claim names a sale", async () => {
    const h = await holdAndTwoSales();
    await apply(db, [h.first, h.second]);

    expect(await h.status(h.second)).toMatchObject({
      status: "rejected",
      reason: {
        code: "hold_used",
        message: expect.stringContaining(`sale ${h.first.transaction.externalId}, earlier`),
      },
    });
    expect(await h.hold()).toMatchObject({ status: "committed", transaction_id: h.first.transactionId });
  });

  it("rejected for another reason, does not give back the first sale's claim received at the same time", async () => {
    const h = await holdAndTwoSales();
    await claimForSale(db, h.tenantId, h.holdId, h.first);
    // An unknown customer: rejected before its hold is looked at.
    const unknown: TransactionMessage = {
      ...h.second,
      transaction: { ...h.second.transaction, customer: { id: "cus_nobody00000000" } },
    };
    await apply(db, [unknown]);
    expect((await h.status(unknown))?.status).toBe("rejected");

    expect((await h.hold()).claimed_at).not.toBeNull();
    await expect(voidHold(db, h.tenantId, h.holdId, new Date(h.first.receivedAt))).rejects.toMatchObject({
      code: "hold_ended",
    });
  });
});

describe("claiming a hold another sale claimed", () => {
  it("names the hold as taken, and the first claim is kept; the first sale claiming again changes nothing", async () => {
    const h = await holdAndTwoSales();
    const at = new Date(h.first.receivedAt);
    const claim = (m: TransactionMessage) =>
      claimHeldHolds(db, h.tenantId, [{ holdId: h.holdId, externalId: m.transaction.externalId }], at);
    expect(await claim(h.first)).toEqual([]);
    expect(await claim(h.second)).toEqual([{ holdId: h.holdId, code: "hold_used" }]);
    expect(await claim(h.first)).toEqual([]);
  });
});
