// The tier pass's upgrades are recorded for refunds to walk back through (customer_loyalty.job_upgrades): a merge
// carries them to the survivor with the tier they gave. A merge adds two customers' points without judging the sum:
// the next version's pass judges the survivor even when that version's tiers are the last pass's.
import type { LoyaltyEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { applyTransactionBatch, customerBalances, customerStanding } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { base, ledgerDeps, line, refundOf, txMessage } from "../../ledger-store/test/batch-fixtures.ts";
import { goldAt, lowerGold, silverShortOfGold, tierPass } from "../../ledger-store/test/tier-pass-fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});
const dayMs = 86_400_000;
const hourMs = 3_600_000;
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

it("a version with the last pass's tiers raises a merge's survivor whose points together reach a level", async () => {
  const phone = freshPhone();
  const now = new Date();
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * hourMs);
  // The till's customer earned 450 (silver) under gold at 500, whose pass ran before the merge.
  const { tenantId } = await silverShortOfGold(db, phone, `Merged unchanged tiers ${phone}`, now);
  expect(await tierPass(db, tenantId, hoursAgo(3))).toEqual({ acted: 0, outbox: [] });
  const app = await appAccount(tenantId, hoursAgo(2.5));
  const appSale = txMessage(tenantId, { customer: { id: app }, lines: [line("MENU", 10_000)] }, hoursAgo(2));
  await applyTransactionBatch(ledgerDeps(db), [appSale]);
  expect((await customerStanding(db, app))?.tier).toBe("bronze");
  await provePhone(tenantId, app, phone);
  // 550 points, but the merge keeps the higher tier held: silver.
  expect((await customerStanding(db, app))?.tier).toBe("silver");

  // Only the earning rule changes: gold is still at 500.
  const config = goldAt(500, { ...base, pointsPerUnit: 2 });
  await db.programmeVersion.create({
    data: { tenantId, version: 3, effectiveFrom: hoursAgo(1), config, createdBy: "t" },
  });
  const run = await tierPass(db, tenantId, now);

  const changes = run.outbox
    .map((i) => i.payload as LoyaltyEvent)
    .flatMap((e) =>
      e.type === "tier.changed" ? [{ id: e.id, from: e.from, to: e.to, value: e.qualifyingValue }] : [],
    );
  expect(changes).toEqual([{ id: `tier:${app}:programme:3:gold`, from: "silver", to: "gold", value: 550 }]);
  expect((await customerStanding(db, app))?.tier).toBe("gold");
});
