import { describe, expect, it } from "vitest";
import { type KnownCoupon, priceCheckout, type Quote } from "../src/index.ts";
import { coupon, input, noUsage } from "./fixtures.ts";

const threeOff = { benefit: { kind: "fixed_off", amount: 300 }, codes: { kind: "unique", pattern: "WELCOME-XXXX" } };

/** Codes of ONE campaign, as a bulk generation hands them out: the fixture's own ids would make them three. */
const codesOfOneCampaign = (
  config: Record<string, unknown>,
  codes: string[],
  usage: Partial<KnownCoupon["usage"]> = {},
): KnownCoupon[] =>
  codes.map((code) => {
    const c = coupon(code, config, { usage: { ...noUsage, ...usage } });
    return { ...c, campaign: { ...c.campaign!, id: "campaign-welcome" } };
  });

const WELCOME = ["WELCOME-AAAA", "WELCOME-BBBB", "WELCOME-CCCC"];
const priced = (coupons: KnownCoupon[], couponCodes = WELCOME) =>
  priceCheckout(input({ coupons, selection: { couponCodes } }));
const refusals = (q: Quote) => q.coupons.filter((c) => c.selected).map((c) => c.refusal?.code ?? null);

describe("priceCheckout: codes of one campaign in one basket count against its limits together", () => {
  it("a total of 1: the first code applies, the others are limit_reached", () => {
    const q = priced(codesOfOneCampaign({ ...threeOff, limits: { total: 1 } }, WELCOME));
    expect(refusals(q)).toEqual([null, "limit_reached", "limit_reached"]);
    expect(q.discount).toBe(300);
  });

  it("one per customer: the second code of the same campaign is customer_limit_reached", () => {
    const q = priced(codesOfOneCampaign({ ...threeOff, limits: { perCustomer: 1 } }, WELCOME));
    expect(refusals(q)).toEqual([null, "customer_limit_reached", "customer_limit_reached"]);
    expect(q.discount).toBe(300);
  });

  it("the auditor's campaign (total 1, per customer 1, budget €3): one code applies, €3 off", () => {
    const limits = { total: 1, perCustomer: 1, budget: 300 };
    const q = priced(codesOfOneCampaign({ ...threeOff, limits }, WELCOME));
    expect(refusals(q)).toEqual([null, "limit_reached", "limit_reached"]);
    expect(q.applied.map((a) => [a.ref, a.amount])).toEqual([["WELCOME-AAAA", 300]]);
  });

  it("a budget of €5 at €3 a code: the second gets the €2 left, the third budget_exhausted", () => {
    const q = priced(codesOfOneCampaign({ ...threeOff, limits: { budget: 500 } }, WELCOME));
    expect(refusals(q)).toEqual([null, null, "budget_exhausted"]);
    expect(q.applied.map((a) => a.amount)).toEqual([300, 200]);
  });

  it("a per-day limit counts the basket's earlier codes on top of today's stored uses", () => {
    const q = priced(codesOfOneCampaign({ ...threeOff, limits: { perDay: 2 } }, WELCOME, { today: 1 }));
    expect(refusals(q)).toEqual([null, "daily_limit_reached", "daily_limit_reached"]);
  });

  it("stored uses and the basket's add up: a total of 3 with 1 used leaves room for two codes", () => {
    const q = priced(codesOfOneCampaign({ ...threeOff, limits: { total: 3 } }, WELCOME, { total: 1 }));
    expect(refusals(q)).toEqual([null, null, "limit_reached"]);
  });

  it("a refused code takes no use: the next code of the campaign still applies", () => {
    const [used, fresh] = codesOfOneCampaign({ ...threeOff, limits: { total: 1 } }, WELCOME.slice(0, 2));
    const q = priced([{ ...used!, usage: { ...noUsage, code: 1 } }, fresh!], WELCOME.slice(0, 2));
    expect(refusals(q)).toEqual(["code_used_up", null]);
    expect(q.discount).toBe(300);
  });

  it("codes of different campaigns keep their own limits", () => {
    const limited = { benefit: { kind: "fixed_off", amount: 100 }, limits: { total: 1, perCustomer: 1 } };
    const q = priced([coupon("LUNCH", limited), coupon("DINNER", limited)], ["LUNCH", "DINNER"]);
    expect(refusals(q)).toEqual([null, null]);
    expect(q.discount).toBe(200);
  });
});
