import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { claimHeldHolds, customerBalances, placeHold } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  apply,
  checkoutTenant,
  givePoints,
  holdRequest,
  saleWithHold,
} from "../../ledger-store/test/checkout-fixtures.ts";
import { mergeCustomer } from "../src/index.ts";
import { appOrigin } from "./fixtures.ts";

// A sale the gateway accepted before its hold expired commits the hold however late the ledger applies it (the claim's
// grace). A merge in that grace would move the held points to the survivor, and the sale, applied as the survivor's,
// would find a hold of the merged-away customer: the till gave the discount, the points were never taken.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function claimedHold() {
  const { tenantId, customers, deps } = await checkoutTenant(db, 2);
  const [from, into] = customers as [string, string];
  await givePoints(db, tenantId, from, 200);
  const placed = await placeHold(deps, tenantId, holdRequest(from, { points: 200, ttlSeconds: 30 }));
  const sale = saleWithHold(tenantId, from, placed.holdId, placed.quote.lines);
  await claimHeldHolds(
    db,
    tenantId,
    [{ holdId: placed.holdId, externalId: sale.transaction.externalId }],
    new Date(sale.receivedAt),
  );
  return { tenantId, from, into, placed, sale, expiry: Date.parse(placed.expiresAt) };
}

const merge = (tenantId: string, from: string, into: string, at: Date) =>
  withTransaction(db, (tx) => mergeCustomer(tx, tenantId, from, into, appOrigin(at)));

it("refuses a merge after a claimed hold's expiry, and the late sale spends the held points", async () => {
  const { tenantId, from, into, placed, sale, expiry } = await claimedHold();

  const refused = await merge(tenantId, from, into, new Date(expiry + 60_000)).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(DomainError);
  expect((refused as DomainError).code).toBe("conflict");

  await apply(db, [sale]);
  const [hold] = await db.$queryRaw<
    { status: string }[]
  >`SELECT status FROM checkout_holds WHERE id = ${placed.holdId}`;
  expect(hold?.status).toBe("committed");
  expect((await customerBalances(db, tenantId, from)).points).toBeLessThan(200);
  // Its sale applied, the hold reserves nothing: the merge goes ahead.
  await merge(tenantId, from, into, new Date(expiry + 60_000));
});
