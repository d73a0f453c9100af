// The tier pass's upgrades are recorded for refunds to walk back through (customer_loyalty.job_upgrades): a merge
// carries them to the survivor with the tier they gave.
import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyTierDowngrades, applyTransactionBatch, customerBalances, customerStanding } from "@regulars/ledger-store";
import { programmeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  base,
  ledgerDeps,
  line,
  refundOf,
  tenantWithProgramme,
  txMessage,
} from "../../ledger-store/test/batch-fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});
const dayMs = 86_400_000;
/** The pass logs nothing this test reads (this package does not depend on the logger). */
const log = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Parameters<
  typeof applyTierDowngrades
>[0]["log"];
const levels = (goldAt: number) => [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 200, benefits: { rewardPoints: 10 } },
  { id: "gold", name: "Gold", threshold: goldAt, benefits: { rewardPoints: 100 } },
];
const config = (goldAt: number) =>
  ProgrammeConfig.parse({
    rules: [base],
    tiers: { basis: "points_earned", window: "lifetime", levels: levels(goldAt) },
  });
const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48739", new Date());

it("a refund after a merge takes back the tier pass's upgrade the survivor took over, as without the merge", async () => {
  const phone = freshPhone();
  const tenantId = await tenantWithProgramme(db, config(500), `Merged pass upgrade ${phone}`);
  const now = new Date();
  const sale = txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MENU", 45_000)] },
    new Date(now.getTime() - 2 * dayMs),
  );
  await applyTransactionBatch(ledgerDeps(db), [sale]);
  const till = await tillCustomer(tenantId, phone);
  await db.programmeVersion.create({
    data: { tenantId, version: 3, effectiveFrom: new Date(now.getTime() - dayMs), config: config(400), createdBy: "t" },
  });
  const programme = (await programmeInForce(db, tenantId, now))!;
  await applyTierDowngrades({ db, log, tenantId, programme, now });
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
