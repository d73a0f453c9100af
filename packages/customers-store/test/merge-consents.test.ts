import { RegisterCustomerRequest, UpdateProfileRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consentHistory, currentConsents, enrolAtTill, registerCustomer, updateProfile } from "../src/index.ts";
import { appOrigin, loyaltyTenant, outboxOf } from "./fixtures.ts";

// A merge moves the till's customer's consents to the app account as an enrolment records them: they take effect
// only where the account never chose, whoever chose last.

let db: Db;
const now = new Date();
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const inForce = async (tenantId: string, customerId: string) =>
  (await currentConsents(db, tenantId, customerId)).map((c) => `${c.channel}/${c.purpose}=${c.granted}`).sort();

describe("merge: consents", () => {
  it("keeps the account's own choices over the till's, adopts the rest, and announces what changed", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merge Consents");
    const phone = `+48603${String(now.getTime() % 1_000_000).padStart(6, "0")}`;
    const { customer } = await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({
        externalIdentity: { provider: "apple", subject: `merge-consents-${phone}` },
        consents: [{ channel: "sms", purpose: "marketing", granted: false }],
        consentSource: "app:onboarding",
      }),
      appOrigin(minutesAgo(30)),
    );
    // Someone at a kiosk types her number and ticks every box.
    const till = await enrolAtTill(
      db,
      tenantId,
      {
        phone,
        locationId: "store-017",
        consents: [
          { channel: "sms", purpose: "marketing", granted: true },
          { channel: "email", purpose: "marketing", granted: true },
        ],
      },
      { actor: "key_kiosk", via: "kiosk", now: minutesAgo(20) },
    );
    const changedBefore = (await outboxOf(db, tenantId, "consent.changed")).length;

    const proved = await updateProfile(
      db,
      tenantId,
      customer.id,
      UpdateProfileRequest.parse({ phone, phoneVerified: true }),
      appOrigin(now),
    );

    expect(proved.mergedCustomerIds).toEqual([till.customerId]);
    expect(await inForce(tenantId, customer.id)).toEqual(["email/marketing=true", "sms/marketing=false"]);
    expect(await inForce(tenantId, till.customerId)).toEqual([]);
    // The till's choices stay in the account's history, the overruled one too.
    const history = (await consentHistory(db, tenantId, customer.id, { limit: 50 })).items;
    expect(history).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ channel: "sms", granted: false, source: "app:onboarding" }),
        expect.objectContaining({ channel: "sms", granted: true, source: "till:store-017" }),
        expect.objectContaining({ channel: "email", granted: true, source: "till:store-017" }),
      ]),
    );
    const changed = (await outboxOf(db, tenantId, "consent.changed")).slice(changedBefore);
    expect(changed).toEqual([
      expect.objectContaining({
        customerId: customer.id,
        channel: "email",
        purpose: "marketing",
        granted: true,
        source: "till:store-017",
      }),
    ]);
  });

  it("lets a withdrawal made at a till after the account's grant stand, and announces it", async () => {
    const { tenantId } = await loyaltyTenant(db, "Merge Consents Withdrawal");
    const phone = `+48605${String(now.getTime() % 1_000_000).padStart(6, "0")}`;
    const { customer } = await registerCustomer(
      db,
      tenantId,
      RegisterCustomerRequest.parse({
        externalIdentity: { provider: "apple", subject: `merge-withdrawal-${phone}` },
        consents: [{ channel: "sms", purpose: "marketing", granted: true }],
        consentSource: "app:onboarding",
      }),
      appOrigin(minutesAgo(30)),
    );
    // At a kiosk she unticks SMS marketing: whoever typed the number, no message may follow from the older grant.
    const till = await enrolAtTill(
      db,
      tenantId,
      { phone, locationId: "store-017", consents: [{ channel: "sms", purpose: "marketing", granted: false }] },
      { actor: "key_kiosk", via: "kiosk", now: minutesAgo(20) },
    );
    const changedBefore = (await outboxOf(db, tenantId, "consent.changed")).length;

    await updateProfile(
      db,
      tenantId,
      customer.id,
      UpdateProfileRequest.parse({ phone, phoneVerified: true }),
      appOrigin(now),
    );

    expect(await inForce(tenantId, customer.id)).toEqual(["sms/marketing=false"]);
    expect(await inForce(tenantId, till.customerId)).toEqual([]);
    const changed = (await outboxOf(db, tenantId, "consent.changed")).slice(changedBefore);
    expect(changed).toEqual([
      expect.objectContaining({ customerId: customer.id, channel: "sms", purpose: "marketing", granted: false }),
    ]);
  });
});
