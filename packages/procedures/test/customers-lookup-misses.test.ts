import { type CustomerLookupsThrottled, customerLookupDefaults } from "@regulars/checkout-store";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { issueToken } from "@regulars/identity-tokens";
import { newId } from "@regulars/ids";
import { findCredential } from "@regulars/tenancy";
import { testDb } from "@regulars/testing";
import type { TRPCError } from "@trpc/server";
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

const { limit, windowSeconds } = customerLookupDefaults;
const phone = "+48600555042";
const cardNumber = "CARD-GUESS-42";
let unknownNumbers = 0;
/** A phone number nobody in the tenant has, different every time, as a guesser walks through them. */
const unknownPhone = () => `+48600666${(++unknownNumbers).toString().padStart(3, "0")}`;

/** A tenant with one regular known by phone and card, and callers on a clock the test moves. */
async function kioskTenant(name: string) {
  const t = await tenantCallers(db, name);
  const customerId = newId("customer");
  await db.customer.create({
    data: { id: customerId, tenantId: t.tenantId, name: "Anna Kowalska", phone, cardNumber, createdVia: "test" },
  });
  await db.customerIdentity.createMany({
    data: [
      { tenantId: t.tenantId, kind: "phone", value: phone, customerId },
      { tenantId: t.tenantId, kind: "card", value: cardNumber, customerId },
    ],
  });
  const clock = { now: new Date() };
  const onClock = async (key: string) =>
    createCaller({ db, credential: (await findCredential(db, key))!, requestId: "req_test", now: () => clock.now });
  const secondKiosk = (await t.admin.apiKeys.create({ role: "kiosk", label: "second kiosk" })).key;
  return {
    ...t,
    customerId,
    clock,
    kiosk: await onClock(t.apiKeys.kiosk),
    secondKiosk: await onClock(secondKiosk),
    admin: await onClock(t.apiKeys.admin),
  };
}

const throttled = (e: TRPCError) => {
  expect([e.code, e.cause instanceof DomainError && e.cause.code]).toEqual(["TOO_MANY_REQUESTS", "rate_limited"]);
  return (e.cause as CustomerLookupsThrottled).retryAfterSeconds;
};

const basket = {
  locationId: "store-001",
  channel: "kiosk" as const,
  currency: "EUR",
  lines: [{ sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] }],
};

describe("till look-ups of customers by phone or card nobody has", () => {
  it("refuses a kiosk key's look-ups by phone or card after the limit of misses, known or not, until the window passes", async () => {
    const t = await kioskTenant("Guessed Burgers");
    const started = t.clock.now;
    for (let i = 0; i < limit; i++) {
      expect((await failure(t.kiosk.customers.identify({ phone: unknownPhone() }))).code).toBe("NOT_FOUND");
    }
    expect(throttled(await failure(t.kiosk.customers.identify({ phone })))).toBe(windowSeconds);
    throttled(await failure(t.kiosk.customers.identify({ cardNumber })));
    throttled(await failure(t.kiosk.customers.get({ phone })));
    throttled(await failure(t.kiosk.customers.get({ cardNumber: "CARD-NOBODY" })));
    // What cannot be guessed is still answered: the app's token, the customer's id.
    const token = (await issueToken(db, t.tenantId, t.customerId)).token;
    expect((await t.kiosk.customers.identify({ token })).id).toBe(t.customerId);
    expect((await t.kiosk.customers.get({ id: t.customerId })).id).toBe(t.customerId);
    // Coupon codes keep a count of their own: mistyped numbers do not hold them up.
    const quote = await t.kiosk.checkout.quote({ basket, couponCodes: ["NOPE-1"] });
    expect(quote.coupons[0]!.refusal!.code).toBe("unknown_code");

    t.clock.now = new Date(started.getTime() + (windowSeconds - 1) * 1000);
    expect(throttled(await failure(t.kiosk.customers.identify({ phone })))).toBe(1);
    t.clock.now = new Date(started.getTime() + windowSeconds * 1000);
    expect((await t.kiosk.customers.identify({ phone })).id).toBe(t.customerId);
  });

  it("counts per key: another kiosk key, an admin key and a signed-in owner are not held up", async () => {
    const t = await kioskTenant("Guessed Grill");
    for (let i = 0; i < limit; i++) await failure(t.kiosk.customers.identify({ phone: unknownPhone() }));
    throttled(await failure(t.kiosk.customers.identify({ phone })));

    expect((await t.secondKiosk.customers.identify({ phone })).id).toBe(t.customerId);
    expect((await t.pos.customers.get({ cardNumber })).id).toBe(t.customerId);
    // Admins may list every customer anyway: their misses are not counted.
    for (let i = 0; i <= limit; i++) {
      expect((await failure(t.admin.customers.identify({ phone: unknownPhone() }))).code).toBe("NOT_FOUND");
    }
    expect((await t.admin.customers.identify({ phone })).id).toBe(t.customerId);
    expect((await t.admin.customers.get({ phone })).id).toBe(t.customerId);
    const { caller: owner } = await signedInStaff(db, t.tenantId, "owner");
    for (let i = 0; i <= limit; i++) await failure(owner.customers.get({ phone: unknownPhone() }));
    expect((await owner.customers.get({ phone })).id).toBe(t.customerId);
  });

  it("does not count look-ups that found the customer", async () => {
    const t = await kioskTenant("Regulars Only");
    for (let i = 0; i < limit - 1; i++) await failure(t.kiosk.customers.identify({ phone: unknownPhone() }));
    for (let i = 0; i < limit; i++) {
      expect((await t.kiosk.customers.identify({ phone })).id).toBe(t.customerId);
      expect((await t.kiosk.customers.get({ cardNumber })).id).toBe(t.customerId);
    }
    expect((await failure(t.kiosk.customers.identify({ phone: unknownPhone() }))).code).toBe("NOT_FOUND");
    throttled(await failure(t.kiosk.customers.identify({ phone })));
  });

  it("counts a checkout naming an unknown customer by phone, and refuses checkouts naming one by phone past the limit", async () => {
    const t = await kioskTenant("Guessed Checkout");
    for (let i = 0; i < limit / 2; i++) {
      const customer = { phone: unknownPhone() };
      expect((await failure(t.kiosk.checkout.quote({ basket, customer }))).code).toBe("NOT_FOUND");
      expect((await failure(t.kiosk.checkout.hold({ basket, customer, ttlSeconds: 600 }))).code).toBe("NOT_FOUND");
    }
    throttled(await failure(t.kiosk.checkout.quote({ basket, customer: { phone } })));
    throttled(await failure(t.kiosk.checkout.hold({ basket, customer: { cardNumber }, ttlSeconds: 600 })));
    throttled(await failure(t.kiosk.customers.identify({ phone })));
    // A basket without a customer, or naming them by id, is not a look-up.
    expect((await t.kiosk.checkout.quote({ basket })).total).toBe(400);
    expect((await t.kiosk.checkout.quote({ basket, customer: { id: t.customerId } })).total).toBe(400);
  });
});
