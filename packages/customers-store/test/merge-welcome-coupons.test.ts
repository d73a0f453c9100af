import { createCampaign, issueCoupon, walletCoupons } from "@regulars/checkout-store";
import { RegisterCustomerRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCustomer } from "../src/index.ts";
import { applyAtTill, appOrigin, loyaltyTenant, tillMessage } from "./fixtures.ts";
import { mergeParties } from "./merge-fixtures.ts";

// Acceptance scenario 1 after a merge: one person, one welcome coupon.

let db: Db;
const now = new Date();
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const { freshPhone, appAccount, provePhone } = mergeParties(() => db, "+48603", now);

/** A tenant with a welcome campaign (a unique code per customer) and a campaign of coupons handed out otherwise. */
async function welcomeTenant(name: string) {
  const { tenantId } = await loyaltyTenant(db, name);
  const campaign = (config: Record<string, unknown>) => createCampaign(db, tenantId, config as never, "key_admin");
  const welcome = await campaign({
    name: "Discounted fries",
    benefit: { kind: "fixed_off", amount: 100 },
    codes: { kind: "unique", pattern: "WELCOME-XXXXX" },
    issueOnRegistration: true,
  });
  const thanks = await campaign({
    name: "Thank you",
    benefit: { kind: "fixed_off", amount: 50 },
    codes: { kind: "generic", code: "THANKS" },
  });
  return { tenantId, welcome, thanks };
}

/** Signed up in the app with a proven phone and no sign-in identity: a customer a later merge may take in. */
const phoneOnlySignUp = async (tenantId: string, phone: string) =>
  (await registerCustomer(db, tenantId, RegisterCustomerRequest.parse({ phone, phoneVerified: true }), appOrigin(now)))
    .customer.id;
const walletOf = async (tenantId: string, customerId: string) =>
  (await walletCoupons(db, tenantId, customerId, now)).map((w) => [w.campaignId, w.code]);

describe("merging wallets", () => {
  it("keeps the survivor's welcome coupon and retires the merged customer's, moving the other coupons", async () => {
    const { tenantId, welcome, thanks } = await welcomeTenant("Merge Welcome Burgers");
    const phone = freshPhone();
    const merged = await phoneOnlySignUp(tenantId, phone);
    const thanked = await issueCoupon(db, {
      tenantId,
      customerId: merged,
      campaignId: thanks.id,
      issueKey: `thanks:${merged}`,
      issuedBy: "key_admin",
      source: "admin",
    });
    const app = await appAccount(tenantId);
    const [ownWelcome] = await walletOf(tenantId, app);

    expect((await provePhone(tenantId, app, phone)).mergedCustomerIds).toEqual([merged]);

    const wallet = await walletOf(tenantId, app);
    expect(wallet.filter(([campaign]) => campaign === welcome.id)).toEqual([ownWelcome]);
    expect(wallet).toContainEqual([thanks.id, thanked.code]);
    expect(wallet).toHaveLength(2);
    const merge = await db.customerMerge.findUniqueOrThrow({ where: { mergedId: merged } });
    expect(merge.moved).toMatchObject({ walletCoupons: 1, welcomeCouponsRetired: 1 });
  });

  it("moves a welcome coupon the merged customer redeemed: the per-customer limit counts its use", async () => {
    const { tenantId, welcome } = await welcomeTenant("Merge Redeemed Welcome Burgers");
    const phone = freshPhone();
    const merged = await phoneOnlySignUp(tenantId, phone);
    const [[, redeemed]] = (await walletOf(tenantId, merged)) as [[string, string]];
    const sale = tillMessage(tenantId, { customerId: merged, total: 900 }, now);
    sale.transaction.lines = [{ ...sale.transaction.lines[0]!, unitPrice: 1_000, discount: 100 }];
    sale.transaction.couponCodes = [redeemed];
    await applyAtTill(db, now, sale);
    expect(await db.couponUse.count({ where: { customerId: merged, code: redeemed, status: "committed" } })).toBe(1);
    const app = await appAccount(tenantId);

    await provePhone(tenantId, app, phone);

    const welcomes = (await walletCoupons(db, tenantId, app, now)).filter((w) => w.campaignId === welcome.id);
    expect(welcomes.map((w) => w.code)).toContain(redeemed);
    expect(welcomes).toHaveLength(2);
    expect(await db.couponUse.count({ where: { customerId: app, code: redeemed, status: "committed" } })).toBe(1);
  });
});
