import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, customerStanding } from "../src/index.ts";
import { ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { goldAt, lowerGold, silverShortOfGold, tierPass } from "./tier-pass-fixtures.ts";

// The tier pass's upgrade for a version that lowered gold rests on the value of the sales behind it. A full refund
// of those sales takes it back with the sale's own, whether the pass ran before the refund or after it: recorded
// nowhere, it stopped the refund's chain and kept gold and both rewards when the pass came first.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const dayMs = 86_400_000;

const orders = [
  { order: "the pass, then the refund", phone: "+48730009101", passFirst: true },
  { order: "the refund, then the pass", phone: "+48730009102", passFirst: false },
];

for (const { order, phone, passFirst } of orders)
  it(`a sale refunded in full after gold was lowered ends bronze with 0 points: ${order}`, async () => {
    const now = new Date();
    // 450 points two days ago: bronze to silver (+10), 50 short of gold.
    const { tenantId, sale, customerId: id } = await silverShortOfGold(db, phone, `Tier Upgrades Refund ${phone}`, now);
    const standing = async () => ({
      tier: (await customerStanding(db, id))?.tier,
      points: (await customerBalances(db, tenantId, id)).points,
    });
    expect(await standing()).toEqual({ tier: "silver", points: 460 });
    // Gold lowered to 400, in force since yesterday.
    await lowerGold(db, tenantId, 400, new Date(now.getTime() - dayMs));
    const refund = refundOf(tenantId, sale, [line("MENU", 45_000)]);

    if (passFirst) {
      expect((await tierPass(db, tenantId, now)).acted).toBeGreaterThan(0);
      expect(await standing()).toEqual({ tier: "gold", points: 560 });
      await applyTransactionBatch(ledgerDeps(db), [refund]);
    } else {
      await applyTransactionBatch(ledgerDeps(db), [refund]);
      expect(await standing()).toEqual({ tier: "bronze", points: 0 });
      await tierPass(db, tenantId, now);
    }
    expect(await standing()).toEqual({ tier: "bronze", points: 0 });

    // A later version in force, gold lower still (its pass scans): it finds no value to raise anyone on, pays nothing.
    await lowerGold(db, tenantId, 300, new Date(now.getTime() + 1000), 4);
    const later = new Date(now.getTime() + 2000);
    expect((await tierPass(db, tenantId, later)).outbox).toEqual([]);
    expect(await standing()).toEqual({ tier: "bronze", points: 0 });
  });

it("a refund that leaves silver's value takes back the pass's gold only, back to silver's own since", async () => {
  const phone = "+48730009103";
  const tenantId = await tenantWithProgramme(db, goldAt(500), `Tier Upgrades Refund ${phone}`);
  const now = new Date();
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * dayMs);
  const first = txMessage(tenantId, { customer: { phone }, lines: [line("MENU", 25_000)] }, at(3));
  const second = txMessage(tenantId, { customer: { phone }, lines: [line("MENU", 20_000)] }, at(2));
  await applyTransactionBatch(ledgerDeps(db), [first]);
  await applyTransactionBatch(ledgerDeps(db), [second]);
  const id = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  const silverSince = (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tierSince;
  await lowerGold(db, tenantId, 400, at(1));
  await tierPass(db, tenantId, now);
  expect((await customerStanding(db, id))?.tier).toBe("gold");

  await applyTransactionBatch(ledgerDeps(db), [refundOf(tenantId, second, [line("MENU", 20_000)])]);

  const loyalty = await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } });
  expect({ tier: loyalty.tier, since: loyalty.tierSince }).toEqual({ tier: "silver", since: silverSince });
  // 250 earned and silver's 10 kept; the refunded 200 and the pass's 100 gone.
  expect((await customerBalances(db, tenantId, id)).points).toBe(260);
});
