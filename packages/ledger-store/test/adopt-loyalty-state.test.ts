import { type Db, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adoptLoyaltyState, customerStanding } from "../src/index.ts";
import { tenantWithCustomers } from "./fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY);

describe("adoptLoyaltyState into an account that has its own", () => {
  it("keeps the later activity and the later-ending floor, and the survivor's tier", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Adopt loyalty");
    const [merged, survivor] = customers as [string, string];
    const silverSince = daysFromNow(-200);
    const lastPurchase = daysFromNow(-1);
    const goldFloorUntil = daysFromNow(30);
    await db.customerLoyalty.createMany({
      data: [
        {
          customerId: survivor,
          tenantId,
          tier: "silver",
          tierSince: silverSince,
          lastActivityAt: daysFromNow(-300),
          tierFloor: "silver",
          tierFloorUntil: daysFromNow(10),
        },
        {
          customerId: merged,
          tenantId,
          tier: "gold",
          tierSince: daysFromNow(-5),
          lastActivityAt: lastPurchase,
          tierFloor: "gold",
          tierFloorUntil: goldFloorUntil,
        },
      ],
    });

    await withTransaction(db, (tx) => adoptLoyaltyState(tx, tenantId, merged, survivor));

    expect(await customerStanding(db, survivor)).toEqual({
      tier: "silver",
      tierSince: silverSince,
      lastActivityAt: lastPurchase,
      tierFloor: "gold",
      tierFloorUntil: goldFloorUntil,
    });
  });

  it("takes the merged customer's tier when the survivor has none yet", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Adopt loyalty tier");
    const [merged, survivor] = customers as [string, string];
    const since = daysFromNow(-5);
    await db.customerLoyalty.createMany({
      data: [
        { customerId: survivor, tenantId, lastActivityAt: daysFromNow(-1) },
        { customerId: merged, tenantId, tier: "gold", tierSince: since, lastActivityAt: daysFromNow(-3) },
      ],
    });

    await withTransaction(db, (tx) => adoptLoyaltyState(tx, tenantId, merged, survivor));

    const standing = await customerStanding(db, survivor);
    expect([standing?.tier, standing?.tierSince, standing?.tierFloor]).toEqual(["gold", since, null]);
  });

  // A rolling window's downgrade pass judges a tier one window after its tier_since: the merged account must not be
  // judged before either customer would have been.
  it("both in the same tier: the later tier_since, whichever customer had it (an unknown one counts as earliest)", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 6, "Adopt loyalty same tier");
    const [merged1, survivor1, merged2, survivor2, merged3, survivor3] = customers as string[];
    const [older, later] = [daysFromNow(-700), daysFromNow(-30)];
    await db.customerLoyalty.createMany({
      data: [
        { customerId: survivor1!, tenantId, tier: "gold", tierSince: older },
        { customerId: merged1!, tenantId, tier: "gold", tierSince: later },
        { customerId: survivor2!, tenantId, tier: "gold", tierSince: later },
        { customerId: merged2!, tenantId, tier: "gold", tierSince: older },
        { customerId: survivor3!, tenantId, tier: "gold", tierSince: null },
        { customerId: merged3!, tenantId, tier: "gold", tierSince: later },
      ],
    });

    await withTransaction(db, async (tx) => {
      await adoptLoyaltyState(tx, tenantId, merged1!, survivor1!);
      await adoptLoyaltyState(tx, tenantId, merged2!, survivor2!);
      await adoptLoyaltyState(tx, tenantId, merged3!, survivor3!);
    });

    for (const survivor of [survivor1!, survivor2!, survivor3!])
      expect(await customerStanding(db, survivor)).toMatchObject({ tier: "gold", tierSince: later });
  });

  it("in different tiers (here the merged one lower, reached later), the survivor keeps its tier with its own tier_since", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Adopt loyalty lower tier");
    const [merged, survivor] = customers as [string, string];
    const goldSince = daysFromNow(-700);
    await db.customerLoyalty.createMany({
      data: [
        { customerId: survivor, tenantId, tier: "gold", tierSince: goldSince },
        { customerId: merged, tenantId, tier: "silver", tierSince: daysFromNow(-30) },
      ],
    });

    await withTransaction(db, (tx) => adoptLoyaltyState(tx, tenantId, merged, survivor));

    expect(await customerStanding(db, survivor)).toMatchObject({ tier: "gold", tierSince: goldSince });
  });

  // Whether a floor gave the tier (tier_by_floor) decides when the downgrade pass judges it: it goes with the tier.
  it("tier_by_floor goes with the tier kept; for the same tier, a floor's only if both were", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 7, "Adopt loyalty by floor");
    const [alone, fresh, merged1, survivor1, merged2, survivor2, merged3] = customers as string[];
    const since = daysFromNow(-30);
    const row = (customerId: string, tier: string, byFloor: boolean) =>
      db.$executeRaw`INSERT INTO customer_loyalty (customer_id, tenant_id, tier, tier_since, tier_by_floor)
        VALUES (${customerId}, ${tenantId}, ${tier}, ${since}, ${byFloor})`;
    await row(alone!, "gold", true); // into `fresh`, which has no row
    await row(merged1!, "gold", false);
    await row(survivor1!, "gold", true);
    await row(merged2!, "gold", true);
    await row(survivor2!, "gold", true);
    await row(merged3!, "silver", true); // into survivor1 (by then qualified gold): a lower tier, not kept

    await withTransaction(db, async (tx) => {
      await adoptLoyaltyState(tx, tenantId, alone!, fresh!);
      await adoptLoyaltyState(tx, tenantId, merged1!, survivor1!);
      await adoptLoyaltyState(tx, tenantId, merged2!, survivor2!);
      await adoptLoyaltyState(tx, tenantId, merged3!, survivor1!);
    });

    const byFloor = await db.$queryRaw<{ customer_id: string; tier_by_floor: boolean }[]>`
      SELECT customer_id, tier_by_floor FROM customer_loyalty WHERE customer_id IN (${fresh}, ${survivor1}, ${survivor2})`;
    expect(Object.fromEntries(byFloor.map((r) => [r.customer_id, r.tier_by_floor]))).toEqual({
      [fresh!]: true,
      [survivor1!]: false,
      [survivor2!]: true,
    });
  });
});
