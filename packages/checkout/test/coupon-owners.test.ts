import { describe, expect, it } from "vitest";
import { couponRefusal, type KnownCoupon, type PricingContext, priceCheckout } from "../src/index.ts";
import { coupon, input, noUsage } from "./fixtures.ts";

/** A €3-off welcome campaign of unique codes, once per customer, exclusive: each code issued into one wallet. */
const welcome = {
  name: "Welcome",
  codes: { kind: "unique", pattern: "WEL-XXXX" },
  benefit: { kind: "fixed_off", amount: 300 },
  limits: { perCustomer: 1 },
  stacking: { exclusive: true },
};
/** Every code of one campaign, so that its uses and stacking are the campaign's. */
const issued = (code: string, more: Parameters<typeof coupon>[2] = {}): KnownCoupon => {
  const known = coupon(code, welcome, more);
  return { ...known, campaign: { ...known.campaign!, id: "campaign-welcome" } };
};
const adas = issued("WEL-ADA1", { issuedToAnother: true });

const priced = (coupons: KnownCoupon[], couponCodes: string[]) =>
  priceCheckout(input({ coupons, selection: { couponCodes } }));

describe("a code issued into another customer's wallet", () => {
  it("is refused as another_customers_coupon to another customer, before the campaign's own checks", () => {
    expect(couponRefusal(adas, checkoutContext())).toEqual({
      code: "another_customers_coupon",
      message: "This coupon belongs to another customer's wallet.",
    });
    // Paused and used up as well: whose it is comes first, whatever the campaign would say.
    const usedUp = issued("WEL-ADA1", { issuedToAnother: true, status: "paused", usage: { ...noUsage, code: 1 } });
    expect(couponRefusal(usedUp, checkoutContext())?.code).toBe("another_customers_coupon");
  });

  it("asks a guest's basket to identify the customer, who may be its owner", () => {
    expect(couponRefusal(adas, { ...checkoutContext(), customer: null })).toEqual({
      code: "customer_required",
      message: "This coupon is in a customer's wallet: identify the customer to use it.",
    });
  });

  it("takes nothing off, and neither a use nor stacking of its campaign: the customer's own code still applies", () => {
    const q = priced([adas, issued("WEL-BOB1")], ["WEL-ADA1", "WEL-BOB1"]);
    expect(q.coupons.map((c) => [c.code, c.refusal?.code ?? null])).toEqual([
      ["WEL-ADA1", "another_customers_coupon"],
      ["WEL-BOB1", null],
    ]);
    expect(q.applied.filter((a) => a.source === "coupon").map((a) => [a.ref, a.amount])).toEqual([["WEL-BOB1", 300]]);
  });

  it("is an ordinary coupon to its owner (no flag)", () => {
    const q = priced([issued("WEL-ADA1")], ["WEL-ADA1"]);
    expect(q.coupons[0]).toMatchObject({ code: "WEL-ADA1", applicable: true, refusal: null });
  });
});

/** The context `couponRefusal` reads, as `priceCheckout` builds it for the fixtures' basket. */
function checkoutContext(): PricingContext {
  const i = input();
  const subtotal = i.basket.lines.reduce((sum, l) => sum + l.quantity * l.unitPrice - l.discount, 0);
  return { basket: i.basket, subtotal, at: i.at, timezone: i.timezone, customer: i.customer };
}
