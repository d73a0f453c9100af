import { CouponCampaignConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold, quoteCheckout } from "../src/index.ts";
import { checkoutTenant, holdRequest } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A unique-code campaign with its codes generated, written as the admin store would. */
async function uniqueCodes(tenantId: string, config: Record<string, unknown>, codes: string[]) {
  const parsed = CouponCampaignConfig.parse({
    name: "Welcome",
    codes: { kind: "unique", pattern: "WELCOME-XXXX" },
    ...config,
  });
  const id = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${id}, ${tenantId}, ${parsed.name}, 'active', ${JSON.stringify(parsed)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source)
    SELECT ${tenantId}, code, ${id}, 'unique' FROM unnest(${codes}::text[]) AS t(code)`;
  return id;
}

const usedCount = async (campaignId: string) => {
  const [row] = await db.$queryRaw<{ used_count: bigint; used_amount: bigint }[]>`
    SELECT used_count, used_amount FROM coupon_campaigns WHERE id = ${campaignId}`;
  return { count: Number(row!.used_count), amount: Number(row!.used_amount) };
};

describe("several codes of one campaign in one basket", () => {
  it("total 1, one per customer, €3 budget: the quote refuses the 2nd and 3rd code, a hold of all three reserves nothing", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    const codes = ["WELCOME-AB12", "WELCOME-CD34", "WELCOME-EF56"];
    const limits = { total: 1, perCustomer: 1, budget: 300 };
    const campaign = await uniqueCodes(tenantId, { benefit: { kind: "fixed_off", amount: 300 }, limits }, codes);

    const quote = await quoteCheckout(deps, tenantId, holdRequest(c, { couponCodes: codes }));
    expect(quote.coupons.map((k) => [k.code, k.refusal?.code ?? null])).toEqual([
      ["WELCOME-AB12", null],
      ["WELCOME-CD34", "limit_reached"],
      ["WELCOME-EF56", "limit_reached"],
    ]);
    expect(quote.discount).toBe(300);

    const refused = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: codes })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe("hold_refused");
    expect((refused as DomainError).issues?.map((i) => [i.path, i.message.split(":")[0]])).toEqual([
      ["couponCodes.1", "limit_reached"],
      ["couponCodes.2", "limit_reached"],
    ]);
    expect(await usedCount(campaign)).toEqual({ count: 0, amount: 0 });

    await placeHold(deps, tenantId, holdRequest(c, { couponCodes: codes.slice(0, 1) }));
    expect(await usedCount(campaign)).toEqual({ count: 1, amount: 300 });
  });
});
