import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const basket = {
  locationId: "store-001",
  channel: "kiosk" as const,
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};
/** The same basket at the till: the key bounds the basket's channel as it does a sale's. */
const tillBasket = { ...basket, channel: "pos" as const };

describe("checkout.hold for a guest (no customer)", () => {
  it("reserves a limited coupon's use for one guest at a time, shows the hold without a customer, and voids it", async () => {
    const { kiosk, pos, admin } = await tenantCallers(db, "Guest Hold Kiosk");
    await admin.coupons.create({
      name: "Half fries, once",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: "FRIES-ONCE" },
      limits: { total: 1 },
    });
    const placed = await kiosk.checkout.hold({ basket, couponCodes: ["fries-once"], ttlSeconds: 300 });
    expect(placed.quote.total).toBe(200);
    expect(await kiosk.checkout.getHold({ holdId: placed.holdId })).toMatchObject({
      customerId: null,
      status: "held",
    });

    const refused = await failure(pos.checkout.hold({ basket: tillBasket, couponCodes: ["FRIES-ONCE"] }));
    expect(refused.code).toBe("CONFLICT");
    expect(issuesOf(refused)?.[0]?.message).toMatch(/^limit_reached: /);

    expect(await kiosk.checkout.void({ holdId: placed.holdId })).toEqual({ holdId: placed.holdId, status: "released" });
    expect((await pos.checkout.hold({ basket: tillBasket, couponCodes: ["FRIES-ONCE"] })).quote.total).toBe(200);
  });
});
