import { CouponCampaignConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold, quoteCheckout } from "../src/index.ts";
import { line } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A welcome coupon's one-time code for half-price fries, issued into the customer's wallet. */
async function walletFriesCoupon(tenantId: string, customerId: string, code: string) {
  const config = CouponCampaignConfig.parse({
    name: "Discounted fries",
    codes: { kind: "unique", pattern: "WELCOME-XXXX" },
    benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
  });
  const campaignId = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${campaignId}, ${tenantId}, ${config.name}, 'active', ${JSON.stringify(config)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source) VALUES (${tenantId}, ${code}, ${campaignId}, 'unique')`;
  await db.$executeRaw`
    INSERT INTO wallet_coupons (id, tenant_id, customer_id, campaign_id, code, issue_key)
    VALUES (${newId("event")}, ${tenantId}, ${customerId}, ${campaignId}, ${code}, ${`welcome:${customerId}`})`;
}

const burgerOnly = () => basket([line("BURGER", 1200)]);

describe("a single-use wallet coupon once the customer used it", () => {
  it("leaves the wallet; typed again it is refused as used, whatever the basket", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const ada = customers[0]!;
    await walletFriesCoupon(tenantId, ada, "WELCOME-7KQ4");

    const before = await quoteCheckout(deps, tenantId, holdRequest(ada, { basket: burgerOnly() }));
    expect(before.coupons.map((c) => [c.code, c.inWallet, c.refusal?.code])).toEqual([
      ["WELCOME-7KQ4", true, "no_matching_items"],
    ]);

    const hold = await placeHold(deps, tenantId, holdRequest(ada, { couponCodes: ["WELCOME-7KQ4"] }));
    await apply(db, [saleWithHold(tenantId, ada, hold.holdId, hold.quote.lines)]);

    const next = await quoteCheckout(deps, tenantId, holdRequest(ada, { basket: burgerOnly() }));
    expect(next.coupons).toEqual([]);
    const typed = await quoteCheckout(
      deps,
      tenantId,
      holdRequest(ada, { basket: burgerOnly(), couponCodes: ["WELCOME-7KQ4"] }),
    );
    expect(typed.coupons.map((c) => [c.code, c.refusal?.code])).toEqual([["WELCOME-7KQ4", "code_used_up"]]);
  });
});
