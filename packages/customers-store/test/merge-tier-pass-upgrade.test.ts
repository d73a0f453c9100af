// The tier pass's upgrades are recorded for refunds to walk back through (customer_loyalty.job_upgrades): a merge
// carries them to the survivor with the tier they gave.
import type { Db } from "@regulars/db";
import { applyTransactionBatch, customerBalances, customerStanding } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ledgerDeps, line, refundOf } from "../../ledger-store/test/batch-fixtures.ts";
import { lowerGold, silverShortOfGold, tierPass } from "../../ledger-store/test/tier-pass-fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});
const dayMs = 86_400_000;
const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48739", new Date());

it("a refund after a merge takes back the tier pass's upgrade the survivor took over, as without the merge", async () => {
  const phone = freshPhone();
  const now = new Date();
  const { tenantId, sale } = await silverShortOfGold(db, phone, `Merged pass upgrade ${phone}`, now);
  const till = await tillCustomer(tenantId, phone);
  await lowerGold(db, tenantId, 400, new Date(now.getTime() - dayMs));
  await tierPass(db, tenantId, now);
  expect((await customerStanding(db, till))?.tier).toBe("gold");
  const app = await appAccount(tenantId);
  await provePhone(tenantId, app, phone);
  const merged = await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: app } });
  expect(merged.tier).toBe("gold");
  await applyTransactionBatch(ledgerDeps(db), [refundOf(tenantId, sale, [line("MENU", 45_000)])]);
  const standing = {
    tier: (await customerStanding(db, app))?.tier,
    points: (await customerBalances(db, tenantId, app)).points,
  };
  // Same refund without the merge ends bronze with 0 points (tier-upgrades-refund.test.ts).
  expect(standing).toEqual({ tier: "bronze", points: 0 });
});
