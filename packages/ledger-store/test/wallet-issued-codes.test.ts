import { CouponCampaignConfig, type HoldRequest } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { DomainError } from "@regulars/errors";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HoldDeps, placeHold, quoteCheckout, transactionStatus } from "../src/index.ts";
import { txMessage } from "./batch-fixtures.ts";
import { apply, basket, checkoutTenant, genericCoupon, holdRequest } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A €3-off welcome campaign of unique codes, with `code` in `customerId`'s wallet as `issueCoupon` leaves it. */
async function issuedIntoWallet(tenantId: string, customerId: string, code: string, source = "issued") {
  const config = CouponCampaignConfig.parse({
    name: "Welcome",
    codes: { kind: "unique", pattern: "WEL-XXXXXXXX" },
    benefit: { kind: "fixed_off", amount: 300 },
  });
  const campaignId = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${campaignId}, ${tenantId}, ${config.name}, 'active', ${JSON.stringify(config)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source, max_uses)
    VALUES (${tenantId}, ${code}, ${campaignId}, ${source}, 1)`;
  await inWallet(tenantId, customerId, campaignId, code);
  return campaignId;
}

async function inWallet(tenantId: string, customerId: string, campaignId: string, code: string) {
  await db.$executeRaw`
    INSERT INTO wallet_coupons (id, tenant_id, customer_id, campaign_id, code, issue_key)
    VALUES (${newId("walletCoupon")}, ${tenantId}, ${customerId}, ${campaignId}, ${code}, ${newId("event")})`;
}

/** A merge as `customers-store` records it: the merged customer's wallet rows move to the survivor. */
async function merge(tenantId: string, mergedId: string, intoId: string) {
  await db.$executeRaw`
    INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${mergedId}, ${tenantId}, ${intoId})`;
  await db.$executeRaw`UPDATE wallet_coupons SET customer_id = ${intoId} WHERE customer_id = ${mergedId}`;
}

const guest = (extra: Partial<HoldRequest>): HoldRequest => ({ ...holdRequest("none", extra), customer: null });

const usesOf = async (campaignId: string) =>
  (await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaignId}`)[0]!.n;

const refusalOf = (quote: Awaited<ReturnType<typeof quoteCheckout>>, code: string) =>
  quote.coupons.find((c) => c.code === code && c.selected)?.refusal?.code ?? "applied";

const holdRefusal = (deps: HoldDeps, tenantId: string, request: HoldRequest) =>
  placeHold(deps, tenantId, request).then(
    () => "held",
    (e: DomainError) => `${e.code} ${e.issues?.map((i) => i.message.split(":")[0]).join(",")}`,
  );

async function postedOutcome(tenantId: string, customerId: string | null, code: string) {
  const sale = txMessage(tenantId, {
    ...(customerId ? { customer: { id: customerId } } : {}),
    couponCodes: [code],
    lines: basket().lines,
  });
  await apply(db, [sale]);
  const status = await transactionStatus(db, tenantId, sale.transaction.externalId);
  if (status?.status !== "processed") throw new Error(`${sale.transaction.externalId} is ${status?.status}`);
  return status.couponCodes.map((c) => (c.counted ? "counted" : c.refusal));
}

describe("a code issued into one customer's wallet", () => {
  it("is refused to another customer's quote and hold, and stays in its owner's wallet", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [ada, bob] = customers as [string, string];
    const campaignId = await issuedIntoWallet(tenantId, ada, "WEL-ADA00001");

    const quoted = await quoteCheckout(deps, tenantId, holdRequest(bob, { couponCodes: ["WEL-ADA00001"] }));
    expect(quoted.applied).toEqual([]);
    expect(quoted.coupons.find((c) => c.code === "WEL-ADA00001")?.refusal).toEqual({
      code: "another_customers_coupon",
      message: "This coupon belongs to another customer's wallet.",
    });
    expect(await holdRefusal(deps, tenantId, holdRequest(bob, { couponCodes: ["WEL-ADA00001"] }))).toBe(
      "hold_refused another_customers_coupon",
    );
    expect(await usesOf(campaignId)).toBe(0n);

    const owners = await quoteCheckout(deps, tenantId, holdRequest(ada));
    expect(owners.coupons.map((c) => [c.code, c.inWallet, c.applicable])).toEqual([["WEL-ADA00001", true, true]]);
    const held = await placeHold(deps, tenantId, holdRequest(ada, { couponCodes: ["WEL-ADA00001"] }));
    expect(held.quote.applied.map((a) => [a.ref, a.amount])).toEqual([["WEL-ADA00001", 300]]);
  });

  it("is refused to a guest with a reason asking to identify the customer", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const campaignId = await issuedIntoWallet(tenantId, customers[0]!, "WEL-ADA00002");

    const quoted = await quoteCheckout(deps, tenantId, guest({ couponCodes: ["WEL-ADA00002"] }));
    expect(quoted.applied).toEqual([]);
    expect(refusalOf(quoted, "WEL-ADA00002")).toBe("customer_required");
    expect(await holdRefusal(deps, tenantId, guest({ couponCodes: ["WEL-ADA00002"] }))).toBe(
      "hold_refused customer_required",
    );
    expect(await usesOf(campaignId)).toBe(0n);
  });

  it("posted on a sale without a hold counts only on its owner's sale", async () => {
    const { tenantId, customers } = await checkoutTenant(db, 2);
    const [ada, bob] = customers as [string, string];
    const campaignId = await issuedIntoWallet(tenantId, ada, "WEL-ADA00003");

    expect(await postedOutcome(tenantId, bob, "WEL-ADA00003")).toEqual([
      { code: "another_customers_coupon", message: "This coupon belongs to another customer's wallet." },
    ]);
    expect(await postedOutcome(tenantId, null, "WEL-ADA00003")).toEqual([
      { code: "customer_required", message: expect.stringContaining("identify the customer") },
    ]);
    expect(await usesOf(campaignId)).toBe(0n);
    expect(await postedOutcome(tenantId, ada, "WEL-ADA00003")).toEqual(["counted"]);
    expect(await usesOf(campaignId)).toBe(1n);
  });

  it("follows a merge: the survivor uses it, named by either id; others still cannot", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 3);
    const [merged, survivor, bob] = customers as [string, string, string];
    await issuedIntoWallet(tenantId, merged, "WEL-MRG00001");
    await merge(tenantId, merged, survivor);

    const bySurvivor = await quoteCheckout(deps, tenantId, holdRequest(survivor, { couponCodes: ["WEL-MRG00001"] }));
    expect(refusalOf(bySurvivor, "WEL-MRG00001")).toBe("applied");
    const byOldId = await quoteCheckout(deps, tenantId, holdRequest(merged, { couponCodes: ["WEL-MRG00001"] }));
    expect(refusalOf(byOldId, "WEL-MRG00001")).toBe("applied");
    const byBob = await quoteCheckout(deps, tenantId, holdRequest(bob, { couponCodes: ["WEL-MRG00001"] }));
    expect(refusalOf(byBob, "WEL-MRG00001")).toBe("another_customers_coupon");

    const held = await placeHold(deps, tenantId, holdRequest(merged, { couponCodes: ["WEL-MRG00001"] }));
    expect(held.quote.applied.map((a) => a.ref)).toEqual(["WEL-MRG00001"]);
  });
});

describe("codes that are not one customer's", () => {
  it("a generic code in a wallet, or a unique code handed out, stays usable by anyone", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [ada, bob] = customers as [string, string];
    const generic = await genericCoupon(db, tenantId, "FRIES-FOR-ALL", { benefit: { kind: "fixed_off", amount: 100 } });
    await inWallet(tenantId, ada, generic, "FRIES-FOR-ALL");
    await issuedIntoWallet(tenantId, ada, "WEL-HANDED01", "generated");

    const codes = ["FRIES-FOR-ALL", "WEL-HANDED01"];
    const byBob = await quoteCheckout(deps, tenantId, holdRequest(bob, { couponCodes: codes }));
    expect(codes.map((c) => refusalOf(byBob, c))).toEqual(["applied", "applied"]);
    const byGuest = await quoteCheckout(deps, tenantId, guest({ couponCodes: codes }));
    expect(codes.map((c) => refusalOf(byGuest, c))).toEqual(["applied", "applied"]);
    const held = await placeHold(deps, tenantId, holdRequest(bob, { couponCodes: codes }));
    expect(held.quote.applied.map((a) => a.ref)).toEqual(codes);
  });
});
