import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/** `/v1/checkout/quote` and `/holds` over an in-process gateway: a key that tries too many unknown codes waits. */
const fixture = throttledGateway();
const { clock, unknownCodeLimit, post } = fixture;
let tenant: CreatedTenant;
beforeAll(async () => {
  tenant = await testTenant(fixture.db, "Code Guessing Door");
});

const basket = {
  locationId: "store-001",
  channel: "pos",
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};
/** The key bounds the basket's channel as it does a sale's: the kiosk's key checks out kiosk baskets. */
const basketOf = (key: string) => (key === tenant.apiKeys.kiosk ? { ...basket, channel: "kiosk" } : basket);
let guesses = 0;
const quote = (key: string, couponCodes: string[] = [`GUESS-${++guesses}AB`]) =>
  post("/v1/checkout/quote", key, { basket: basketOf(key), couponCodes });

describe("unknown coupon codes at the gateway", () => {
  it("answers the configured number of unknown codes, then 429 rate_limited with Retry-After for that key only", async () => {
    const till = tenant.apiKeys.pos;
    for (let i = 0; i < unknownCodeLimit.limit; i++) {
      const answered = await quote(till);
      expect(answered.status).toBe(200);
      expect(answered.body.coupons[0].refusal.code).toBe("unknown_code");
    }
    clock.now = new Date(clock.now.getTime() + 15_000);
    const refused = await quote(till);
    expect(refused).toMatchObject({ status: 429, retryAfter: "45", body: { code: "rate_limited" } });
    expect(refused.body.message).toContain("unknown coupon codes");

    const hold = await post("/v1/checkout/holds", till, {
      basket,
      customer: { phone: "+48600100200" },
      couponCodes: ["ANY-CODE"],
      ttlSeconds: 600,
    });
    expect(hold).toMatchObject({ status: 429, retryAfter: "45", body: { code: "rate_limited" } });

    const withoutCodes = await quote(till, []);
    expect(withoutCodes).toMatchObject({ status: 200, body: { total: 400 } });
    const kiosk = await quote(tenant.apiKeys.kiosk);
    expect(kiosk.status).toBe(200);
    expect(kiosk.body.coupons[0].refusal.code).toBe("unknown_code");

    clock.now = new Date(clock.now.getTime() + 45_000);
    expect((await quote(till)).status).toBe(200);
  });
});
