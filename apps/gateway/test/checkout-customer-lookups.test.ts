import { customerLookupDefaults } from "@regulars/checkout-store";
import { newId } from "@regulars/ids";
import type { CreatedTenant } from "@regulars/tenancy";
import { testTenant } from "@regulars/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { throttledGateway } from "./throttle-fixture.ts";

/**
 * `/v1/checkout/quote` and `/holds` naming the customer by phone or card: look-ups, counted per key as the API's
 * till look-ups are, so a kiosk key cannot walk through phone numbers here instead.
 */
const fixture = throttledGateway();
const { clock, post } = fixture;
const { limit, windowSeconds } = customerLookupDefaults;
const phone = "+48600555043";
const cardNumber = "CARD-GUESS-43";
let tenant: CreatedTenant;
let customerId: string;
beforeAll(async () => {
  const { db } = fixture;
  tenant = await testTenant(db, "Phone Guessing Door");
  customerId = newId("customer");
  await db.customer.create({
    data: { id: customerId, tenantId: tenant.tenantId, name: "Anna Kowalska", phone, cardNumber, createdVia: "test" },
  });
  await db.customerIdentity.createMany({
    data: [
      { tenantId: tenant.tenantId, kind: "phone", value: phone, customerId },
      { tenantId: tenant.tenantId, kind: "card", value: cardNumber, customerId },
    ],
  });
});

const basket = {
  locationId: "store-001",
  channel: "kiosk",
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};
let unknownNumbers = 0;
/** A phone number nobody in the tenant has, different every time, as a guesser walks through them. */
const unknownPhone = () => `+48600777${(++unknownNumbers).toString().padStart(3, "0")}`;
/** The key bounds the basket's channel as it does a sale's: a till's key checks out pos baskets. */
const basketOf = (key: string) => (key === tenant.apiKeys.pos ? { ...basket, channel: "pos" } : basket);
const quote = (key: string, customer: Record<string, string> | null) =>
  post("/v1/checkout/quote", key, { basket: basketOf(key), customer });
/** A hold of 100 points the customer does not have: refused 409 once it is looked at, 429 before. */
const hold = (key: string, customer: Record<string, string>) =>
  post("/v1/checkout/holds", key, { basket: basketOf(key), customer, points: 100, ttlSeconds: 600 });

describe("customer look-ups through the gateway's checkout", () => {
  it("refuses a key's quotes and holds by phone or card after the limit of unknown ones, not by id, nor other keys", async () => {
    const kiosk = tenant.apiKeys.kiosk;
    for (let i = 0; i < limit; i++) {
      const missed = await quote(kiosk, { phone: unknownPhone() });
      expect([missed.status, missed.body.code]).toEqual([404, "not_found"]);
    }
    clock.now = new Date(clock.now.getTime() + 60_000);
    const wait = String(windowSeconds - 60);

    // Even a member's phone: answering it would tell the guesser who is a member.
    const refused = await quote(kiosk, { phone });
    expect(refused).toMatchObject({ status: 429, retryAfter: wait, body: { code: "rate_limited" } });
    expect(refused.body.message).toContain("look-ups");
    expect(refused.body.requestId).toEqual(expect.any(String));
    expect(await hold(kiosk, { phone })).toMatchObject({ status: 429, retryAfter: wait });
    expect(await hold(kiosk, { cardNumber })).toMatchObject({ status: 429, retryAfter: wait });

    // What cannot be guessed is still answered: the customer's id, or no customer at all.
    expect(await quote(kiosk, { id: customerId })).toMatchObject({ status: 200, body: { total: 400 } });
    expect(await quote(kiosk, null)).toMatchObject({ status: 200, body: { total: 400 } });
    const byId = await hold(kiosk, { id: customerId });
    expect(byId).toMatchObject({ status: 409, body: { code: "hold_refused", issues: [{ path: "points" }] } });

    // Another key of the tenant has its own count.
    expect(await quote(tenant.apiKeys.pos, { phone })).toMatchObject({ status: 200, body: { total: 400 } });

    clock.now = new Date(clock.now.getTime() + (windowSeconds - 60) * 1000);
    expect((await quote(kiosk, { phone })).status).toBe(200);
  });

  it("never counts customers found", async () => {
    const pos = tenant.apiKeys.pos;
    for (let i = 0; i <= limit; i++) expect((await quote(pos, { cardNumber })).status).toBe(200);
  });
});
