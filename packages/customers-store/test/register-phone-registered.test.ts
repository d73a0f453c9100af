import { createCampaign, walletCoupons } from "@regulars/checkout-store";
import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { resolveCustomers } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readProfile, registerCustomer } from "../src/index.ts";
import { appOrigin, loyaltyTenant, outboxOf } from "./fixtures.ts";

// A kiosk may name a bare customer by an app sign-in identity before it is registered. When the person then registers
// that identity with a proven phone of an account that signed up before, they are signing in: that account's sign-up
// (its time, its one welcome coupon) stands, and the bare customer is not a new sign-up.

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
const apple = () => ({ provider: "apple", subject: `001234.phone-registered.${++n}` });
const phone = () => `+48604${String(++n).padStart(6, "0")}`;
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

/** The bare customer a till's batch creates for a customer reference it does not know. */
async function tillEnrolled(
  tenantId: string,
  ref: { externalIdentity: { provider: string; subject: string } } | { phone: string },
) {
  const [resolved] = await db.$transaction((tx) =>
    resolveCustomers(tx, [{ tenantId, ref, create: true, createdVia: "kiosk" }]),
  );
  return (resolved as { customerId: string }).customerId;
}

const registrationsOf = async (tenantId: string, customerId: string) =>
  (await outboxOf(db, tenantId, "customer.updated")).filter(
    (e) => e.customerId === customerId && e.cause === "registration",
  );

describe("registering a sign-in identity a kiosk named a customer by", () => {
  it("signs in the account that registered the proven phone before: its sign-up time, one welcome coupon", async () => {
    const { tenantId, welcomeId } = await welcomeTenant("Phone Registered Burgers");
    const number = phone();
    const signedUp = await register(
      tenantId,
      { phone: number, phoneVerified: true, name: "Ada", preferences: { language: "de", diet: "vegan" } },
      daysAgo(30),
    );
    expect(signedUp.outcome).toBe("created");
    const ext = apple();
    const till = await tillEnrolled(tenantId, { externalIdentity: ext });

    const again = await register(tenantId, { externalIdentity: ext, phone: number, phoneVerified: true });

    // The customer holding the sign-in identity survives the merge (an app account is never merged away).
    expect(again).toMatchObject({
      outcome: "existing",
      mergedCustomerIds: [signedUp.customer.id],
      customer: { id: till, name: "Ada", phone: number, phoneVerified: true, externalIdentities: [ext] },
    });
    expect(again.customer.registeredAt).toBe(daysAgo(30).toISOString());
    // The account that signed up is merged away; its preferences (the language its messages go out in) come along.
    expect(again.customer.preferences).toEqual({ language: "de", diet: "vegan" });
    expect((await readProfile(db, tenantId, till)).registeredAt).toBe(daysAgo(30).toISOString());
    expect((await walletCoupons(db, tenantId, till)).map((w) => w.campaignId)).toEqual([welcomeId]);
    expect(await registrationsOf(tenantId, till)).toEqual([]);
  });

  it("is the sign-up when the proven phone is a till's customer that never registered", async () => {
    const { tenantId, welcomeId } = await welcomeTenant("Phone Unregistered Burgers");
    const number = phone();
    const counter = await tillEnrolled(tenantId, { phone: number });
    const ext = apple();
    const till = await tillEnrolled(tenantId, { externalIdentity: ext });

    const first = await register(tenantId, { externalIdentity: ext, phone: number, phoneVerified: true });

    expect(first).toMatchObject({ outcome: "linked", mergedCustomerIds: [counter], customer: { id: till } });
    expect(first.customer.registeredAt).toBe(now.toISOString());
    expect((await walletCoupons(db, tenantId, till)).map((w) => w.campaignId)).toEqual([welcomeId]);
    expect(await registrationsOf(tenantId, till)).toHaveLength(1);
  });
});
