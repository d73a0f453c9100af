import { type Db, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adoptLoyaltyState, outboxEventsOf } from "../src/index.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// A merge that raises the survivor's tier announces it as the survivor's own tier change; one that keeps the
// survivor's tier announces nothing. The tenant's default programme has no tiers: both tiers rank alike.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const daysFromNow = (days: number) => new Date(Date.now() + days * DAY);
const tierChanges = async (tenantId: string) =>
  (await outboxEventsOf(db, tenantId, "tier.changed")).map((e) => e.payload);

describe("adoptLoyaltyState announces the tier it raises", () => {
  it("announces the merged customer's tier taken by a survivor without one, stamped, with no reward", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Adopt announced");
    const [merged, survivor] = customers as [string, string];
    await db.customerLoyalty.createMany({
      data: [
        { customerId: survivor, tenantId, lastActivityAt: daysFromNow(-1) },
        { customerId: merged, tenantId, tier: "gold", tierSince: daysFromNow(-5), lastActivityAt: daysFromNow(-3) },
      ],
    });
    const at = daysFromNow(0);

    await withTransaction(db, (tx) => adoptLoyaltyState(tx, tenantId, merged, survivor, at));

    expect(await tierChanges(tenantId)).toEqual([
      {
        type: "tier.changed",
        id: `tier:${survivor}:merge:${merged}`,
        tenantId,
        customerId: survivor,
        occurredAt: at.toISOString(),
        from: null,
        to: "gold",
        direction: "up",
        qualifyingValue: 0,
        cause: "merge",
        appliedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/),
        appliedIndex: 0,
      },
    ]);
    expect(await db.ledgerMovement.count({ where: { tenantId } })).toBe(0);
  });

  it("announces nothing when the survivor keeps its own tier", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Adopt kept");
    const [merged, survivor] = customers as [string, string];
    await db.customerLoyalty.createMany({
      data: [
        { customerId: survivor, tenantId, tier: "silver", tierSince: daysFromNow(-9) },
        { customerId: merged, tenantId, tier: "gold", tierSince: daysFromNow(-5) },
      ],
    });

    await withTransaction(db, (tx) => adoptLoyaltyState(tx, tenantId, merged, survivor));

    expect(await tierChanges(tenantId)).toEqual([]);
  });
});
