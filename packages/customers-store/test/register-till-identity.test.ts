import { createCampaign, walletCoupons } from "@regulars/checkout-store";
import { RegisterCustomerRequest, TransactionInput, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { customerBalances, resolveCustomers } from "@regulars/ledger-store";
import { raceWithHeldTransaction, testDatabaseUrl, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { currentConsents, readProfile, registerCustomer, updateProfile } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, outboxOf } from "./fixtures.ts";

// Tills may name a customer by the app's sign-in identity (a kiosk scanning the app's code) before the customer ever
// registered it. The first registration of that identity is the sign-up (acceptance scenario 1): its profile, its
// consents and the welcome coupon, not a sign-in again that answers 200 and drops them.

let db: Db;
const now = new Date();

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const apple = () => ({ provider: "apple", subject: `001234.till-identity.${++n}` });
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const register = (tenantId: string, input: Record<string, unknown>) =>
  registerCustomer(db, tenantId, RegisterCustomerRequest.parse(input), appOrigin(now));

/** A tenant with a welcome campaign (issued on registration), and its campaign's id. */
async function welcomeTenant(name: string) {
  const { tenantId } = await loyaltyTenant(db, name);
  const welcome = await createCampaign(
    db,
    tenantId,
    {
      name: "Welcome fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "unique", pattern: "HELLO-XXXXX" },
      issueOnRegistration: true,
    },
    "key_admin",
  );
  return { tenantId, welcomeId: welcome.id };
}

/** A kiosk's sale of 12.00 naming the customer by the app's sign-in identity, as the ledger worker applies it. */
async function kioskSale(tenantId: string, externalIdentity: { provider: string; subject: string }) {
  const transaction = TransactionInput.parse({
    externalId: `TILL-IDENTITY-${now.getTime()}-${++n}`,
    type: "sale",
    occurredAt: minutesAgo(30).toISOString(),
    locationId: "store-001",
    channel: "kiosk",
    currency: "EUR",
    lines: [{ sku: "MEAL", name: "Meal", quantity: 1, unitPrice: 1_200, discount: 0, tags: [] }],
    total: 1_200,
    customer: { externalIdentity },
  });
  const transactionId = stableId("transaction", tenantId, transaction.externalId);
  await applyAtTill(db, now, { tenantId, transactionId, receivedAt: now.toISOString(), transaction });
  const owner = await db.customerIdentity.findFirstOrThrow({
    where: { tenantId, kind: `ext:${externalIdentity.provider}`, value: externalIdentity.subject },
  });
  return owner.customerId;
}

const signUp = (ext: { provider: string; subject: string }) => ({
  externalIdentity: ext,
  name: "Ada Nowak",
  email: "ada@example.com",
  preferences: { diet: "vegan" },
  consents: [
    { channel: "email", purpose: "marketing", granted: true },
    { channel: "push", purpose: "marketing", granted: false },
  ],
  consentSource: "app:onboarding",
  consentedAt: minutesAgo(2).toISOString(),
});

const registrationsOf = async (tenantId: string, customerId: string) =>
  (await outboxOf(db, tenantId, "customer.updated")).filter(
    (e) => e.customerId === customerId && e.cause === "registration",
  );

describe("the first registration of a sign-in identity a till named a customer by", () => {
  it("registers that customer: profile, consents with their source and time, welcome coupon; once", async () => {
    const { tenantId, welcomeId } = await welcomeTenant("Till Identity Burgers");
    const ext = apple();
    const till = await kioskSale(tenantId, ext);
    // Someone at the counter filled in the date of birth before the app was ever used: the sign-up keeps it.
    await updateProfile(db, tenantId, till, UpdateProfileRequest.parse({ dateOfBirth: "1990-04-17" }), {
      actor: "key_admin",
      source: "admin",
      now,
    });

    const first = await register(tenantId, signUp(ext));

    expect(first).toMatchObject({
      outcome: "linked",
      mergedCustomerIds: [],
      customer: {
        id: till,
        name: "Ada Nowak",
        email: "ada@example.com",
        dateOfBirth: "1990-04-17",
        preferences: { diet: "vegan" },
        externalIdentities: [ext],
        registeredAt: now.toISOString(),
      },
    });
    expect(await db.customer.findUniqueOrThrow({ where: { id: till } })).toMatchObject({ createdVia: "kiosk" });
    expect((await customerBalances(db, tenantId, till)).points).toBe(12);
    const consents = await currentConsents(db, tenantId, till);
    expect(
      consents.map(({ channel, granted, source, occurredAt }) => ({ channel, granted, source, occurredAt })),
    ).toEqual(
      expect.arrayContaining([
        { channel: "email", granted: true, source: "app:onboarding", occurredAt: minutesAgo(2).toISOString() },
        { channel: "push", granted: false, source: "app:onboarding", occurredAt: minutesAgo(2).toISOString() },
      ]),
    );
    expect(consents).toHaveLength(2);
    expect((await walletCoupons(db, tenantId, till)).map((w) => w.campaignId)).toEqual([welcomeId]);
    // The registered trigger of campaigns reads this event; the identity was the customer's already.
    const [registration, ...more] = await registrationsOf(tenantId, till);
    expect(more).toEqual([]);
    expect(registration!.changed).toEqual(["name", "email", "preferences"]);

    // Signing in again is a sign-in: nothing re-registered, no second coupon, the first sign-up's profile stays.
    const again = await register(tenantId, { ...signUp(ext), name: "Someone Else", consents: [] });
    expect(again).toMatchObject({ outcome: "existing", customer: { id: till, name: "Ada Nowak" } });
    expect(again.customer.registeredAt).toBe(now.toISOString());
    expect(await walletCoupons(db, tenantId, till)).toHaveLength(1);
    expect(await registrationsOf(tenantId, till)).toHaveLength(1);
  });

  it("holds the preferences the till's customer had plus the app's to the cap of 50, storing nothing over it", async () => {
    const { tenantId } = await welcomeTenant("Till Identity Preferences");
    const ext = apple();
    const till = await kioskSale(tenantId, ext);
    const keys = (prefix: string, count: number) =>
      Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}`, "yes"]));
    await updateProfile(db, tenantId, till, UpdateProfileRequest.parse({ preferences: keys("counter", 40) }), {
      actor: "key_admin",
      source: "admin",
      now,
    });

    const refused = await register(tenantId, { ...signUp(ext), preferences: keys("app", 11) }).catch((e) => e);

    expect(refused).toMatchObject({
      code: "invalid_request",
      issues: [expect.objectContaining({ path: "preferences" })],
    });
    expect(Object.keys((await readProfile(db, tenantId, till))!.preferences)).toHaveLength(40);
    expect(await db.customer.findUniqueOrThrow({ where: { id: till } })).toMatchObject({ name: null });
    expect(await currentConsents(db, tenantId, till)).toEqual([]);
    // Within the cap the sign-up goes through with both sets.
    const signedUp = await register(tenantId, { ...signUp(ext), preferences: keys("app", 10) });
    expect(Object.keys(signedUp.customer.preferences)).toHaveLength(50);
  });

  it("keeps the number the tills know over an unproven one typed in the app", async () => {
    const { tenantId } = await welcomeTenant("Till Identity Phones");
    const ext = apple();
    const till = await kioskSale(tenantId, ext);
    const known = `+48603${String(++n).padStart(6, "0")}`;
    await updateProfile(db, tenantId, till, UpdateProfileRequest.parse({ phone: known, phoneVerified: true }), {
      actor: "key_admin",
      source: "admin",
      now,
    });

    const first = await register(tenantId, { externalIdentity: ext, phone: "+48 603 999 999" });

    expect(first).toMatchObject({ outcome: "linked", customer: { id: till, phone: known, phoneVerified: true } });
    expect((await registrationsOf(tenantId, till))[0]!.changed).toEqual([]);
  });

  it("registers the till's customer when the till enrolled the identity during the registration", async () => {
    const { tenantId, welcomeId } = await welcomeTenant("Till Identity Race");
    const ext = apple();
    let till = "";
    // The till's batch creates the customer and holds it uncommitted; the registration, which found no owner,
    // waits on the identity's key and then finds the till's customer.
    const registration = await raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      async (tx) => {
        const [resolved] = await resolveCustomers(tx, [
          { tenantId, ref: { externalIdentity: ext }, create: true, createdVia: "kiosk" },
        ]);
        till = (resolved as { customerId: string }).customerId;
      },
      () => register(tenantId, signUp(ext)),
      "the registration",
    );

    expect(registration).toMatchObject({
      outcome: "linked",
      customer: { id: till, name: "Ada Nowak", email: "ada@example.com", registeredAt: now.toISOString() },
    });
    expect(await currentConsents(db, tenantId, till)).toHaveLength(2);
    expect((await walletCoupons(db, tenantId, till)).map((w) => w.campaignId)).toEqual([welcomeId]);
    expect(await registrationsOf(tenantId, till)).toHaveLength(1);
    expect((await readProfile(db, tenantId, till)).registeredAt).toBe(now.toISOString());
  });
});

describe("registering a till's phone while a till names the sign-in identity", () => {
  it("makes the till's identity customer the account and merges in the phone's customer, not a 500", async () => {
    const { tenantId, welcomeId } = await welcomeTenant("Till Identity Phone Race");
    const ext = apple();
    const number = `+48605${String(++n).padStart(6, "0")}`;
    const [byPhone] = await db.$transaction((tx) =>
      resolveCustomers(tx, [{ tenantId, ref: { phone: number }, create: true, createdVia: "pos" }]),
    );
    const phoneCustomer = (byPhone as { customerId: string }).customerId;
    let till = "";
    // The registration finds the identity unowned and the phone a till's customer, then meets the till's uncommitted
    // row for the identity when it adds it to that customer.
    const registration = await raceWithHeldTransaction(
      testDatabaseUrl(),
      db,
      async (tx) => {
        const [resolved] = await resolveCustomers(tx, [
          { tenantId, ref: { externalIdentity: ext }, create: true, createdVia: "kiosk" },
        ]);
        till = (resolved as { customerId: string }).customerId;
      },
      () => register(tenantId, { ...signUp(ext), phone: number, phoneVerified: true }),
      "the registration",
    );

    expect(registration).toMatchObject({
      outcome: "linked",
      mergedCustomerIds: [phoneCustomer],
      customer: { id: till, phone: number, phoneVerified: true, externalIdentities: [ext] },
    });
    expect((await walletCoupons(db, tenantId, till)).map((w) => w.campaignId)).toEqual([welcomeId]);
    expect(await registrationsOf(tenantId, till)).toHaveLength(1);
  });
});
