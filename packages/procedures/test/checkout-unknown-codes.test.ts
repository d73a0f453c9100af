import { unknownCodeDefaults } from "@regulars/checkout";
import type { Db } from "@regulars/db";
import { findCredential } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, signedInStaff, tenantCallers } from "./helpers.ts";

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
let guesses = 0;
const guess = () => [`GUESS-${(++guesses).toString().padStart(4, "0")}`];

describe("checkout.quote and checkout.hold: unknown coupon codes", () => {
  it("answers 20 unknown codes to the kiosk, refuses the 21st TOO_MANY_REQUESTS until the window passes", async () => {
    const { tenantId, apiKeys, admin } = await tenantCallers(db, "Kiosk Guessing");
    await admin.coupons.create({
      name: "Half fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: "FRIES-HALF" },
    });
    const clock = { now: new Date() };
    const credential = (await findCredential(db, apiKeys.kiosk))!;
    const kiosk = createCaller({ db, credential, requestId: "req_test", now: () => clock.now });
    const started = clock.now;
    for (let i = 0; i < unknownCodeDefaults.limit; i++) {
      const quote = await kiosk.checkout.quote({ basket, couponCodes: guess() });
      expect(quote.coupons[0]!.refusal!.code).toBe("unknown_code");
    }
    const refused = await failure(kiosk.checkout.quote({ basket, couponCodes: ["FRIES-HALF"] }));
    expect(refused.code).toBe("TOO_MANY_REQUESTS");
    expect(refused.message).toContain(`in ${unknownCodeDefaults.windowSeconds} s`);
    expect(
      (
        await failure(
          kiosk.checkout.hold({ basket, customer: { phone: "+48600100200" }, couponCodes: ["X-123"], ttlSeconds: 600 }),
        )
      ).code,
    ).toBe("TOO_MANY_REQUESTS");
    expect((await kiosk.checkout.quote({ basket })).total).toBe(400);

    // A staff member signed in at the till counts apart from the kiosk's key.
    const { caller: staff } = await signedInStaff(db, tenantId, "owner");
    expect((await staff.checkout.quote({ basket, couponCodes: ["fries-half"] })).total).toBe(200);

    clock.now = new Date(started.getTime() + unknownCodeDefaults.windowSeconds * 1000);
    expect((await kiosk.checkout.quote({ basket, couponCodes: ["FRIES-HALF"] })).total).toBe(200);
  });
});
