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
});
