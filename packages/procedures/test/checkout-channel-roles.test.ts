import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

// The kiosk's checkout is bounded by its key as its sale is (`transactionChannelsOfRole`): a kiosk key quotes and
// holds `kiosk` baskets only, or it would be given, and reserve, coupons meant for the app.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const basketOn = (channel: "kiosk" | "app" | "pos") => ({
  locationId: "store-001",
  channel,
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
});

async function withAppCoupon(name: string) {
  const t = await tenantCallers(db, name);
  await t.admin.coupons.create({
    name: "Half fries in the app",
    benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
    codes: { kind: "generic", code: "APPFRIES" },
    conditions: { channels: ["app"] },
  });
  return t;
}

describe("checkout.quote and checkout.hold by channel", () => {
  it("refuses a kiosk key's app basket with channel_not_allowed on basket.channel, holding nothing", async () => {
    const { kiosk, tenantId } = await withAppCoupon("Channel Kiosk Grill");
    const asked = { basket: basketOn("app"), couponCodes: ["APPFRIES"] };
    for (const refused of [await failure(kiosk.checkout.quote(asked)), await failure(kiosk.checkout.hold(asked))]) {
      expect(refused.code).toBe("FORBIDDEN");
      expect(refused.message).toContain("a kiosk key posts transactions of channel kiosk only, not app");
      expect(issuesOf(refused)).toEqual([{ path: "basket.channel", message: "must be kiosk for a kiosk key" }]);
    }
    expect(await db.checkoutHold.count({ where: { tenantId } })).toBe(0);
    const atKiosk = await kiosk.checkout.quote({ basket: basketOn("kiosk"), couponCodes: ["APPFRIES"] });
    expect(atKiosk.discount).toBe(0);
  });

  it("refuses a pos key's kiosk basket; a pos key's app basket and an admin's of any channel are priced", async () => {
    const { pos, admin } = await withAppCoupon("Channel Till Grill");
    const refused = await failure(pos.checkout.quote({ basket: basketOn("kiosk") }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(issuesOf(refused)?.[0]?.path).toBe("basket.channel");
    expect((await pos.checkout.quote({ basket: basketOn("app"), couponCodes: ["APPFRIES"] })).discount).toBe(200);
    expect((await admin.checkout.quote({ basket: basketOn("kiosk") })).total).toBe(400);
    expect((await admin.checkout.hold({ basket: basketOn("app"), couponCodes: ["APPFRIES"] })).quote.total).toBe(200);
  });
});
