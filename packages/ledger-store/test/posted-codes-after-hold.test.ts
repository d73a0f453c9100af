import { CouponCampaignConfig, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { placeHold, quoteCheckout, transactionStatus } from "../src/index.ts";
import { line, txMessage } from "./batch-fixtures.ts";
import {
  apply,
  basket,
  checkoutProgramme,
  checkoutTenant,
  genericCoupon,
  givePoints,
  holdRequest,
  saleWithHold,
} from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const freeFries = { kind: "free_item", match: { skus: ["FRIES"] } };

/** A unique-code campaign holding the one code given (used once, as unique codes are), as the admin store writes it. */
async function uniqueCode(tenantId: string, code: string, config: Record<string, unknown>) {
  const parsed = CouponCampaignConfig.parse({
    name: code,
    codes: { kind: "unique", pattern: `${code.split("-")[0]}-XXXX` },
    ...config,
  });
  const id = newId("couponCampaign");
  await db.$executeRaw`
    INSERT INTO coupon_campaigns (id, tenant_id, name, status, config)
    VALUES (${id}, ${tenantId}, ${parsed.name}, 'active', ${JSON.stringify(parsed)}::jsonb)`;
  await db.$executeRaw`
    INSERT INTO coupon_codes (tenant_id, code, campaign_id, source) VALUES (${tenantId}, ${code}, ${id}, 'unique')`;
  return id;
}

const campaignUsage = async (campaignId: string) => {
  const [row] = await db.$queryRaw<{ used_count: bigint; used_amount: bigint }[]>`
    SELECT used_count, used_amount FROM coupon_campaigns WHERE id = ${campaignId}`;
  return { count: Number(row!.used_count), amount: Number(row!.used_amount) };
};

const usesOf = (campaignId: string) =>
  db.$queryRaw<{ code: string; status: string; discount: bigint }[]>`
    SELECT code, status, discount FROM coupon_uses WHERE campaign_id = ${campaignId} ORDER BY created_at`;

const codeUses = async (tenantId: string, code: string) => {
  const [row] = await db.$queryRaw<{ uses: number }[]>`
    SELECT uses FROM coupon_codes WHERE tenant_id = ${tenantId} AND code = ${code}`;
  return Number(row!.uses);
};

const codesOf = async (tenantId: string, m: TransactionMessage) => {
  const status = await transactionStatus(db, tenantId, m.transaction.externalId);
  if (status?.status !== "processed") throw new Error(`${m.transaction.externalId} is ${status?.status}`);
  return status.couponCodes;
};

/** The sale a kiosk posts after `placed` on `meal`: the hold's quote's line discounts on its lines, `couponCodes` typed. */
const saleOfHold = (
  tenantId: string,
  customerId: string,
  meal: ReturnType<typeof basket>,
  placed: { holdId: string; quote: { lines: { discount: number }[] } },
  couponCodes: string[],
) =>
  txMessage(tenantId, {
    customer: { id: customerId },
    channel: "kiosk",
    lines: meal.lines.map((l, i) => ({ ...l, discount: placed.quote.lines[i]!.discount })),
    holdId: placed.holdId,
    couponCodes,
  });

/** Every member holds the one level, 10% off. */
const tenPercentTier = {
  ...checkoutProgramme,
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [{ id: "member", name: "Member", threshold: 0, benefits: { discountPercent: 10 } }],
  },
};

/**
 * WELCOME and FRIES-FREE (two unique free-fries codes) quoted together on `meal`, then WELCOME held and both posted on
 * the hold's sale, as a till posts them: FRIES-FREE's outcome at the quote and at the sale, and its campaign's usage.
 */
async function secondFreeFriesOnHoldsSale(programme: Record<string, unknown>, meal: ReturnType<typeof basket>) {
  const { tenantId, customers, deps } = await checkoutTenant(db, 1, programme);
  const [c] = customers as [string];
  await uniqueCode(tenantId, "WELCOME-7KQ4", { benefit: freeFries });
  const friesFree = await uniqueCode(tenantId, "FRIES-FREE", { benefit: freeFries });
  const both = ["WELCOME-7KQ4", "FRIES-FREE"];
  const quoted = await quoteCheckout(deps, tenantId, holdRequest(c, { basket: meal, couponCodes: both }));
  const placed = await placeHold(deps, tenantId, holdRequest(c, { basket: meal, couponCodes: ["WELCOME-7KQ4"] }));
  const sale = saleOfHold(tenantId, c, meal, placed, both);
  await apply(db, [sale]);
  return {
    quoted: quoted.coupons.find((k) => k.code === "FRIES-FREE")?.refusal?.code,
    posted: (await codesOf(tenantId, sale)).find((k) => k.code === "FRIES-FREE"),
    uses: await usesOf(friesFree),
    campaign: await campaignUsage(friesFree),
    codeUses: await codeUses(tenantId, "FRIES-FREE"),
  };
}

const refusedAndUnused = {
  quoted: "nothing_to_discount",
  posted: { code: "FRIES-FREE", counted: false, refusal: { code: "nothing_to_discount", message: expect.any(String) } },
  uses: [],
  campaign: { count: 0, amount: 0 },
  codeUses: 0,
};

describe("coupon codes posted on a sale beside the hold it commits", () => {
  it("find the lines as the hold's coupons left them: free fries twice is one free fries, the second code unused", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    const meal = basket([line("BURGER", 790), line("FRIES", 290)]);
    const welcome = await uniqueCode(tenantId, "WELCOME-7KQ4", { benefit: freeFries });
    const friesFree = await uniqueCode(tenantId, "FRIES-FREE", { benefit: freeFries });

    const both = ["WELCOME-7KQ4", "FRIES-FREE"];
    const quoted = await quoteCheckout(deps, tenantId, holdRequest(c, { basket: meal, couponCodes: both }));
    expect(quoted.coupons.filter((k) => k.selected).map((k) => [k.code, k.refusal?.code ?? null])).toEqual([
      ["WELCOME-7KQ4", null],
      ["FRIES-FREE", "nothing_to_discount"],
    ]);
    expect(quoted.total).toBe(790);

    const placed = await placeHold(deps, tenantId, holdRequest(c, { basket: meal, couponCodes: ["WELCOME-7KQ4"] }));
    const sale = saleOfHold(tenantId, c, meal, placed, both);
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "WELCOME-7KQ4", counted: true, refusal: null },
      { code: "FRIES-FREE", counted: false, refusal: { code: "nothing_to_discount", message: expect.any(String) } },
    ]);
    expect(await usesOf(welcome)).toEqual([{ code: "WELCOME-7KQ4", status: "committed", discount: 290n }]);
    expect(await usesOf(friesFree)).toEqual([]);
    expect(await campaignUsage(friesFree)).toEqual({ count: 0, amount: 0 });
    expect(await codeUses(tenantId, "FRIES-FREE")).toBe(0);

    // Its one use is still there for a later sale.
    const later = txMessage(tenantId, { customer: { id: c }, lines: meal.lines, couponCodes: ["FRIES-FREE"] });
    await apply(db, [later]);
    expect(await codesOf(tenantId, later)).toEqual([{ code: "FRIES-FREE", counted: true, refusal: null }]);
    expect(await campaignUsage(friesFree)).toEqual({ count: 1, amount: 290 });
  });

  it("give a % off on what the hold's fixed-off coupon left, its minimum basket judged before any discount", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await genericCoupon(db, tenantId, "THREE-OFF", { benefit: { kind: "fixed_off", amount: 300 } });
    const tenPercent = await genericCoupon(db, tenantId, "TEN-PCT", {
      benefit: { kind: "percent_off", percent: 10 },
      conditions: { minBasket: 1500 },
    });
    // €16 basket: €3 off leaves €13, below TEN-PCT's €15 minimum but not before the discount, as a quote judges it.
    const placed = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["THREE-OFF"] }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines, {
      couponCodes: ["THREE-OFF", "TEN-PCT"],
    });
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "THREE-OFF", counted: true, refusal: null },
      { code: "TEN-PCT", counted: true, refusal: null },
    ]);
    expect(await usesOf(tenPercent)).toEqual([{ code: "TEN-PCT", status: "committed", discount: 130n }]);
    expect(await campaignUsage(tenPercent)).toEqual({ count: 1, amount: 130 });
  });

  it("without a hold, are priced on the lines before the till's own discount, as before", async () => {
    const { tenantId, customers } = await checkoutTenant(db);
    const [c] = customers as [string];
    const tenPercent = await genericCoupon(db, tenantId, "TEN-PCT", { benefit: { kind: "percent_off", percent: 10 } });
    const lines = basket().lines.map((l) => ({ ...l, discount: l.sku === "BURGER" ? 160 : 0 }));
    const sale = txMessage(tenantId, { customer: { id: c }, lines, couponCodes: ["TEN-PCT"] });
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([{ code: "TEN-PCT", counted: true, refusal: null }]);
    expect(await usesOf(tenPercent)).toEqual([{ code: "TEN-PCT", status: "committed", discount: 160n }]);
    expect(await campaignUsage(tenPercent)).toEqual({ count: 1, amount: 160 });
  });

  it("find the tier's discount taken once: a second free fries under a 10% tier finds nothing, as at the quote", async () => {
    // The tier takes 29 off the fries, WELCOME the 261 left: nothing for FRIES-FREE (taking the tier again left 26).
    const meal = basket([line("BURGER", 790), line("FRIES", 290)]);
    expect(await secondFreeFriesOnHoldsSale(tenPercentTier, meal)).toEqual(refusedAndUnused);
  });

  it("find the till's own discount taken: a second free fries on fries the till took 100 off finds nothing", async () => {
    // WELCOME takes the 190 the till's discount left: nothing for FRIES-FREE (ignoring it left 100).
    const meal = basket([line("BURGER", 790), line("FRIES", 290, { discount: 100 })]);
    expect(await secondFreeFriesOnHoldsSale(checkoutProgramme, meal)).toEqual(refusedAndUnused);
  });

  it("give a % off under a tier on the price less the tier's discount and the hold's coupon, as the quote", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 1, tenPercentTier);
    const [c] = customers as [string];
    await genericCoupon(db, tenantId, "THREE-OFF", { benefit: { kind: "fixed_off", amount: 300 } });
    const tenPercent = await genericCoupon(db, tenantId, "TEN-PCT", { benefit: { kind: "percent_off", percent: 10 } });
    const both = ["THREE-OFF", "TEN-PCT"];
    // €16 less the tier's €1.60 less €3: 10% of €11.40 (taking the tier again gave 10% of €11.70).
    const quoted = await quoteCheckout(deps, tenantId, holdRequest(c, { couponCodes: both }));
    expect(quoted.applied.find((a) => a.ref === "TEN-PCT")?.amount).toBe(114);

    const placed = await placeHold(deps, tenantId, holdRequest(c, { couponCodes: ["THREE-OFF"] }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines, { couponCodes: both });
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "THREE-OFF", counted: true, refusal: null },
      { code: "TEN-PCT", counted: true, refusal: null },
    ]);
    expect(await usesOf(tenPercent)).toEqual([{ code: "TEN-PCT", status: "committed", discount: 114n }]);
    expect(await campaignUsage(tenPercent)).toEqual({ count: 1, amount: 114 });
  });

  it("take nothing the hold's reward freed: a free-fries code beside a free-fries reward is refused, its use kept", async () => {
    const friesReward = { id: "fries", name: "Free fries", points: 20, benefit: freeFries };
    const programme = { ...checkoutProgramme, rewards: [...checkoutProgramme.rewards, friesReward] };
    const { tenantId, customers, deps } = await checkoutTenant(db, 1, programme);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const friesFree = await uniqueCode(tenantId, "FRIES-FREE", { benefit: freeFries });
    const placed = await placeHold(deps, tenantId, holdRequest(c, { rewardIds: ["fries"] }));
    expect(placed.quote.applied.map((a) => [a.source, a.amount])).toEqual([["reward", 400]]);

    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines, { couponCodes: ["FRIES-FREE"] });
    await apply(db, [sale]);

    expect(await codesOf(tenantId, sale)).toEqual([
      { code: "FRIES-FREE", counted: false, refusal: { code: "nothing_to_discount", message: expect.any(String) } },
    ]);
    expect(await usesOf(friesFree)).toEqual([]);
    expect(await campaignUsage(friesFree)).toEqual({ count: 0, amount: 0 });
    expect(await codeUses(tenantId, "FRIES-FREE")).toBe(0);
  });

  it("take only what the hold's points left to pay: 10% off beside points that paid €10 of €11", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 300);
    const tenPercent = await genericCoupon(db, tenantId, "TEN-PCT", { benefit: { kind: "percent_off", percent: 10 } });
    const meal = basket([line("BURGER", 1000), line("FRIES", 100)]);
    const placed = await placeHold(deps, tenantId, holdRequest(c, { basket: meal, points: 200 }));
    // The points' €10 spread 909 + 91: 91 and 9 are left to pay.
    expect(placed.quote.lines.map((l) => l.discount)).toEqual([909, 91]);
    const sale = saleOfHold(tenantId, c, meal, placed, ["TEN-PCT"]);
    await apply(db, [sale]);

    // 10% of €11 is 110 (100 + 10) before the points; after them only 91 + 9 were left to take.
    expect(await codesOf(tenantId, sale)).toEqual([{ code: "TEN-PCT", counted: true, refusal: null }]);
    expect(await usesOf(tenPercent)).toEqual([{ code: "TEN-PCT", status: "committed", discount: 100n }]);
    expect(await campaignUsage(tenPercent)).toEqual({ count: 1, amount: 100 });
  });
});
