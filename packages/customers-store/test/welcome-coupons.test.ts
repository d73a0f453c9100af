import { createCampaign, setCampaignStatus, walletCoupons } from "@regulars/checkout-store";
import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { quoteCheckout } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCustomer } from "../src/index.ts";
import { appOrigin, loyaltyTenant, outboxOf } from "./fixtures.ts";

// Acceptance scenario 1, its coupon part: a sign-up in the app puts the welcome coupon in the wallet, and the
// kiosk's quote shows it.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

let n = 0;
const register = (tenantId: string, input: Record<string, unknown>) =>
  registerCustomer(db, tenantId, RegisterCustomerRequest.parse(input), appOrigin(new Date()));

describe("welcome coupons on registration", () => {
  it("a new app customer gets every active registration coupon once, and sees it at the kiosk", async () => {
    const { tenantId } = await loyaltyTenant(db, "Welcome Burgers");
    const fries = await createCampaign(
      db,
      tenantId,
      {
        name: "Discounted fries",
        benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
        codes: { kind: "unique", pattern: "WELCOME-XXXXX" },
        issueOnRegistration: true,
      },
      "key_admin",
    );
    const paused = await createCampaign(
      db,
      tenantId,
      {
        name: "Paused welcome",
        benefit: { kind: "fixed_off", amount: 100 },
        codes: { kind: "generic", code: "PAUSED-HELLO" },
        issueOnRegistration: true,
      },
      "key_admin",
    );
    await setCampaignStatus(db, tenantId, paused.id, "paused", "key_admin");
    await createCampaign(
      db,
      tenantId,
      {
        name: "Not for sign-ups",
        benefit: { kind: "fixed_off", amount: 100 },
        codes: { kind: "generic", code: "OTHER" },
      },
      "key_admin",
    );

    const identity = { provider: "apple", subject: `welcome.${++n}` };
    const { customer } = await register(tenantId, { externalIdentity: identity, name: "Ola" });
    const wallet = await walletCoupons(db, tenantId, customer.id);
    expect(wallet.map((w) => w.campaignId)).toEqual([fries.id]);
    expect(wallet[0]!.code).toMatch(/^WELCOME-[A-Z0-9]{5}$/);
    expect((await outboxOf(db, tenantId, "coupon.issued")).length).toBe(1);

    // Signing in again registers nothing new and issues nothing twice.
    expect((await register(tenantId, { externalIdentity: identity })).outcome).toBe("existing");
    expect(await walletCoupons(db, tenantId, customer.id)).toHaveLength(1);

    const quote = await quoteCheckout({ db, programmes: new ProgrammeCache(db, 0) }, tenantId, {
      customer: { id: customer.id },
      basket: {
        locationId: "store-001",
        channel: "kiosk",
        currency: "EUR",
        lines: [
          { sku: "BURGER", name: "Burger", quantity: 1, unitPrice: 1200, discount: 0, tags: [] },
          { sku: "FRIES", name: "Fries", quantity: 1, unitPrice: 400, discount: 0, tags: [] },
        ],
      },
      couponCodes: [],
      rewardIds: [],
      points: 0,
      wallet: 0,
    });
    expect(quote.coupons).toEqual([
      expect.objectContaining({ code: wallet[0]!.code, inWallet: true, applicable: true, name: "Discounted fries" }),
    ]);
  });

  it("a welcome campaign whose pattern is full does not stop the sign-up: it is skipped, and the audit log says why", async () => {
    const { tenantId } = await loyaltyTenant(db, "Full Pattern Burgers");
    // Four X's hold no code at one per million combinations.
    const full = await createCampaign(
      db,
      tenantId,
      {
        name: "Short pattern",
        benefit: { kind: "fixed_off", amount: 100 },
        codes: { kind: "unique", pattern: "WELCOME-XXXX" },
        issueOnRegistration: true,
      },
      "key_admin",
    );
    const hello = await createCampaign(
      db,
      tenantId,
      {
        name: "Hello",
        benefit: { kind: "fixed_off", amount: 100 },
        codes: { kind: "generic", code: "HELLO-AGAIN" },
        issueOnRegistration: true,
      },
      "key_admin",
    );
    const { outcome, customer } = await register(tenantId, {
      externalIdentity: { provider: "apple", subject: `welcome.${++n}` },
      name: "Ada",
    });
    expect(outcome).toBe("created");
    expect((await walletCoupons(db, tenantId, customer.id)).map((w) => w.campaignId)).toEqual([hello.id]);
    const skipped = await db.auditLog.findMany({ where: { tenantId, action: "coupons.issue_skipped" } });
    expect(skipped).toEqual([
      expect.objectContaining({
        target: customer.id,
        details: expect.objectContaining({
          campaignId: full.id,
          reason: expect.stringMatching(/WELCOME-XXXX holds at most 0 codes/),
        }),
      }),
    ]);
  });
});
