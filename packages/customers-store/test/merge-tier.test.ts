import type { Db } from "@regulars/db";
import { setTierFloor } from "@regulars/ledger-store";
import { programmeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyAtTill, loyaltyTenant, outboxOf, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, provePhone, tillCustomer } = mergeParties(() => db, "+48613", now);
const levels = [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 20 },
  { id: "gold", name: "Gold", threshold: 30, benefits: { rewardPoints: 100 } },
];
const daysAhead = (n: number) => new Date(now.getTime() + n * 86_400_000);

it("a till customer's gold carries into the bronze app account, so the next sale pays no second gold reward", async () => {
  const { tenantId } = await loyaltyTenant(db, "Merge Tier Reward", {
    tiers: { basis: "points_earned", window: "lifetime", levels },
  });
  const phone = freshPhone();
  await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 3_000 }, now, 30));
  const till = await tillCustomer(tenantId, phone);
  const app = await appAccount(tenantId);
  await applyAtTill(db, now, tillMessage(tenantId, { customerId: app, total: 100 }, now, 20));
  const tillSince = (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: till } })).tierSince;

  await provePhone(tenantId, app, phone);
  const merged = await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: app } });

  await applyAtTill(db, now, tillMessage(tenantId, { customerId: app, total: 100 }, now, 5));
  const rewards = await db.ledgerMovement.findMany({
    where: { tenantId, reason: { startsWith: "reached tier" } },
    select: { customerId: true },
  });
  expect(rewards).toEqual([{ customerId: till }]);
  const toGold = (await outboxOf(db, tenantId, "tier.changed")).filter((e) => e.direction === "up" && e.to === "gold");
  // Reached once, at the till; the merge announces the app account's gold as taken over, not reached.
  expect(toGold.map((e) => [e.customerId, e.cause])).toEqual([
    [till, undefined],
    [app, "merge"],
  ]);
  expect({ tier: merged.tier, tierSince: merged.tierSince }).toEqual({ tier: "gold", tierSince: tillSince });
});

it("of two floors in force, the survivor keeps the higher one, though the lower one ends later", async () => {
  const { tenantId } = await loyaltyTenant(db, "Merge Tier Floors", {
    tiers: { basis: "points_earned", window: "lifetime", levels },
  });
  const phone = freshPhone();
  await applyAtTill(db, now, tillMessage(tenantId, { phone, total: 100 }, now, 30));
  const till = await tillCustomer(tenantId, phone);
  const app = await appAccount(tenantId);
  const programme = (await programmeInForce(db, tenantId, now))!;
  const floor = (customerId: string, tier: string, until: Date) =>
    setTierFloor(db, tenantId, "key_admin", { customerId, tier, until, reason: "status match" }, programme, now);
  await floor(till, "gold", daysAhead(10));
  await floor(app, "silver", daysAhead(30));

  await provePhone(tenantId, app, phone);
  const merged = await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: app } });
  expect([merged.tier, merged.tierFloor, merged.tierFloorUntil]).toEqual(["gold", "gold", daysAhead(10)]);
});
