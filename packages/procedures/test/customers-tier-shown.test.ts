import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { postMovements } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { tenantCallers } from "./helpers.ts";

// The tier a customer is shown is the one checkout applies. A lowered threshold that puts a member above their
// stored tier shows the level above with nothing left to go, until the tier job (or their next sale) raises them.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const levels = (goldAt: number) => [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 200, benefits: { discountPercent: 5, flags: [] } },
  { id: "gold", name: "Gold", threshold: goldAt, benefits: { discountPercent: 20, flags: ["free_delivery"] } },
];
const tiersOf = (goldAt: number) => ({
  tiers: { basis: "points_earned" as const, window: "lifetime" as const, levels: levels(goldAt) },
});

it("after gold's threshold drops below a silver member's value, customers.tier shows silver, as the till and checkout apply it", async () => {
  const t = await tenantCallers(db, "Tier Shown");
  await t.admin.programme.tiers.set(tiersOf(500));
  const customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId: t.tenantId, createdVia: "test" } });
  const at = new Date(Date.now() - 86_400_000);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId: t.tenantId,
        customerId,
        kind: "earn",
        unit: "points",
        amount: 450,
        idempotencyKey: `earn:${customerId}`,
        occurredAt: at,
        lot: { availableAt: at, expiresAt: null },
      },
    ]),
  );
  await db.customerLoyalty.create({
    data: { customerId, tenantId: t.tenantId, tier: "silver", tierSince: at, lastActivityAt: at },
  });

  await t.admin.programme.tiers.set(tiersOf(400));

  expect(await t.pos.customers.tier({ customerId })).toMatchObject({
    tier: { id: "silver" },
    qualifyingValue: 450,
    benefits: { discountPercent: 5 },
    next: { id: "gold", threshold: 400, gap: 0 },
  });
  expect(await t.kiosk.customers.get({ id: customerId })).toMatchObject({ tier: { id: "silver" } });
  const basket = {
    locationId: "store-001",
    channel: "kiosk" as const,
    currency: "EUR",
    lines: [{ sku: "BURGER", name: "Burger", quantity: 1, unitPrice: 1000, discount: 0, tags: [] }],
  };
  const quote = await t.kiosk.checkout.quote({ basket, customer: { id: customerId } });
  expect(quote.applied.map((a) => [a.source, a.ref, a.amount])).toEqual([["tier", "silver", 50]]);
});
