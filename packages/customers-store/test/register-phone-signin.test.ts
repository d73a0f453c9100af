import { createCampaign, walletCoupons } from "@regulars/checkout-store";
import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { resolveCustomers } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfile, registerCustomer, registerCustomerWithChanges } from "../src/index.ts";
import { appOrigin, loyaltyTenant, outboxOf } from "./fixtures.ts";

// Someone who signed up with a proven phone only registers again later with a new app sign-in identity (Apple) and
// the same proven phone: they are signing in to the account they have, now with Apple too. It is not a second
// sign-up: no registration announced, no second welcome coupon, and the account's profile is not overwritten by
// what the sign-in screen sent.

let db: Db;
const now = new Date();
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const apple = () => ({ provider: "apple", subject: `001234.phone-signin.${++n}` });
const phone = () => `+48605${String(++n).padStart(6, "0")}`;
const register = (tenantId: string, input: Record<string, unknown>, at = now) =>
  registerCustomer(db, tenantId, RegisterCustomerRequest.parse(input), appOrigin(at));

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

/** customer.created and customer.updated events announcing a registration, of any customer of the tenant. */
async function registrationEvents(tenantId: string) {
  const created = await outboxOf(db, tenantId, "customer.created");
  const updated = await outboxOf(db, tenantId, "customer.updated");
  return [...created, ...updated].filter((e) => e.cause === "registration");
}

describe("registering a new sign-in identity with the proven phone of an account that signed up", () => {
  it("signs in that account: existing, one registration, its profile kept, the identity added", async () => {
    const { tenantId, welcomeId } = await welcomeTenant("Phone Sign-in Burgers");
    const number = phone();
    const signedUp = await register(
      tenantId,
      { phone: number, phoneVerified: true, name: "Ann", email: "ann@example.com" },
      daysAgo(30),
    );
    expect(signedUp.outcome).toBe("created");
    const ext = apple();

    const again = await register(tenantId, {
      externalIdentity: ext,
      phone: number,
      phoneVerified: true,
      name: "Bob",
      email: "bob@example.com",
      consents: [{ channel: "email", purpose: "marketing", granted: true }],
    });

    expect(again).toMatchObject({
      outcome: "existing",
      mergedCustomerIds: [],
      customer: {
        id: signedUp.customer.id,
        name: "Ann",
        email: "ann@example.com",
        phone: number,
        phoneVerified: true,
        externalIdentities: [ext],
        consents: [],
      },
    });
    expect(again.customer.registeredAt).toBe(daysAgo(30).toISOString());
    expect(await registrationEvents(tenantId)).toHaveLength(1);
    expect((await walletCoupons(db, tenantId, signedUp.customer.id)).map((w) => w.campaignId)).toEqual([welcomeId]);
    const profileUpdates = (await outboxOf(db, tenantId, "customer.updated")).filter((e) => e.cause === "profile");
    expect(profileUpdates.map((e) => e.changed)).toEqual([["externalIdentities"]]);

    // The Apple identity now finds the account on its own.
    const later = await register(tenantId, { externalIdentity: ext, name: "Carl" });
    expect(later).toMatchObject({ outcome: "existing", customer: { id: signedUp.customer.id, name: "Ann" } });
    expect(await registrationEvents(tenantId)).toHaveLength(1);
    expect((await readProfile(db, tenantId, signedUp.customer.id)).registeredAt).toBe(daysAgo(30).toISOString());
  });

  it("still makes a till's customer that never registered the app account, with one welcome coupon", async () => {
    const { tenantId, welcomeId } = await welcomeTenant("Phone Till Burgers");
    const number = phone();
    // The bare customer a till's batch creates for a phone it does not know.
    const [resolved] = await db.$transaction((tx) =>
      resolveCustomers(tx, [{ tenantId, ref: { phone: number }, create: true, createdVia: "kiosk" }]),
    );
    const till = (resolved as { customerId: string }).customerId;
    const ext = apple();

    const first = await register(tenantId, { externalIdentity: ext, phone: number, phoneVerified: true, name: "Bob" });

    expect(first).toMatchObject({
      outcome: "linked",
      customer: { id: till, name: "Bob", externalIdentities: [ext], registeredAt: now.toISOString() },
    });
    expect(await registrationEvents(tenantId)).toHaveLength(1);
    expect((await walletCoupons(db, tenantId, till)).map((w) => w.campaignId)).toEqual([welcomeId]);
  });

  it("names the fields a sign-in changed: a newly proven phone replaces the old one", async () => {
    const { tenantId } = await welcomeTenant("Phone Change Burgers");
    const ext = apple();
    const [before, after] = [phone(), phone()];
    const signedUp = await register(tenantId, { externalIdentity: ext, phone: before, phoneVerified: true });
    const signIn = (number: string) =>
      registerCustomerWithChanges(
        db,
        tenantId,
        RegisterCustomerRequest.parse({ externalIdentity: ext, phone: number, phoneVerified: true }),
        appOrigin(now),
      );

    const changedPhone = await signIn(after);
    expect(changedPhone).toMatchObject({ outcome: "existing", changed: ["phone"], customer: { phone: after } });
    expect((await signIn(after)).changed).toEqual([]);
    // The app's answer stays the documented Registration.
    expect(Object.keys(await register(tenantId, { externalIdentity: ext }))).toEqual(Object.keys(signedUp));
  });
});
