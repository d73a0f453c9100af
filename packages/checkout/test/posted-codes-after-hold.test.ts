import type { Quote } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import {
  type CheckoutInput,
  discountsBeforeStackedCoupons,
  emptyStack,
  priceCheckout,
  withoutTierDiscount,
} from "../src/index.ts";
import { coupon, input, line, member, seedProgramme, welcomeFries, withLines } from "./fixtures.ts";

const welcome = coupon("WELCOME", welcomeFries);
const friesFree = coupon("FRIES-FREE", { ...welcomeFries, name: "Fries free" });
const tenPercent = coupon("TEN-PCT", { name: "Ten percent", benefit: { kind: "percent_off", percent: 10 } });
const silver = member({ tier: "silver", points: 1000 });

/** What `code` takes off when posted on the sale of a hold priced by `hold`, as the ledger prices it. */
function postedAfterHold(hold: CheckoutInput, code: string) {
  const held = priceCheckout(hold);
  const taken = discountsBeforeStackedCoupons(held, hold.basket.lines.length);
  const posted = priceCheckout({
    ...hold,
    basket: { ...hold.basket, lines: hold.basket.lines.map((l, i) => ({ ...l, discount: taken[i]! })) },
    programme: withoutTierDiscount(hold.programme),
    selection: { couponCodes: [code], rewardIds: [], points: 0, wallet: 0 },
    stackedOn: { ...emptyStack(), codes: [...hold.selection.couponCodes] },
  });
  return posted.coupons.find((c) => c.code === code)!.refusal?.code ?? amountOf(posted, code);
}

/** What `code` takes off in a quote that selected it after the hold's own selection. */
function quotedWithHold(hold: CheckoutInput, code: string) {
  const quote = priceCheckout({
    ...hold,
    selection: { ...hold.selection, couponCodes: [...hold.selection.couponCodes, code] },
  });
  return quote.coupons.find((c) => c.code === code)!.refusal?.code ?? amountOf(quote, code);
}

const amountOf = (quote: Quote, code: string) => quote.applied.find((a) => a.ref === code)!.amount;

describe("a code posted on a hold's sale, priced on what the hold's quote left", () => {
  it("takes the tier's discount once: a second free fries under a 5% tier finds nothing left", () => {
    const hold = input({ customer: silver, coupons: [welcome, friesFree], selection: { couponCodes: ["WELCOME"] } });
    expect(quotedWithHold(hold, "FRIES-FREE")).toBe("nothing_to_discount");
    expect(postedAfterHold(hold, "FRIES-FREE")).toBe("nothing_to_discount");
  });

  it("keeps the till's own discount taken: a second free fries on discounted fries finds nothing left", () => {
    const lines = [line("BURGER", 790), line("FRIES", 290, { discount: 100 })];
    const hold = withLines(lines, { coupons: [welcome, friesFree], selection: { couponCodes: ["WELCOME"] } });
    expect(quotedWithHold(hold, "FRIES-FREE")).toBe("nothing_to_discount");
    expect(postedAfterHold(hold, "FRIES-FREE")).toBe("nothing_to_discount");
  });

  it("gives a % off on price less tier less coupons, before the rewards and points the quote takes after coupons", () => {
    const lines = [line("BURGER", 1200, { discount: 200 }), line("FRIES", 400), line("VEG-PUFF", 300)];
    const hold = withLines(lines, {
      customer: silver,
      coupons: [welcome, tenPercent],
      selection: { couponCodes: ["WELCOME"], rewardIds: ["veg-puff"], points: 100 },
    });
    // 5% of 1700 = 85; free fries 380 of the 400 − 20 left; 10% of 1235 = 123.
    expect(quotedWithHold(hold, "TEN-PCT")).toBe(123);
    expect(postedAfterHold(hold, "TEN-PCT")).toBe(123);
  });

  it("keeps a coupon limited to the tier usable, its discount gone", () => {
    const silverOnly = coupon("SILVER-PCT", {
      name: "Silver ten",
      benefit: { kind: "percent_off", percent: 10 },
      conditions: { tiers: ["silver"] },
    });
    const hold = input({ customer: silver, coupons: [welcome, silverOnly], selection: { couponCodes: ["WELCOME"] } });
    // 5% of 1080 = 54 (40 + 14); free fries 276 of 290 − 14; 10% of 750 = 75.
    expect(quotedWithHold(hold, "SILVER-PCT")).toBe(75);
    expect(postedAfterHold(hold, "SILVER-PCT")).toBe(75);
    expect(withoutTierDiscount(seedProgramme)?.tiers?.levels.map((l) => l.id)).toEqual(["bronze", "silver"]);
  });
});

describe("discountsBeforeStackedCoupons", () => {
  it("is each line's discount less what rewards, points and wallet cash took, never below 0", () => {
    const quote = {
      lines: [{ discount: 500 }, { discount: 300 }],
      applied: [
        { source: "tier", lines: [{ lineNo: 0, amount: 50 }] },
        { source: "coupon", lines: [{ lineNo: 1, amount: 300 }] },
        { source: "points", lines: [{ lineNo: 0, amount: 200 }] },
        { source: "wallet", lines: [{ lineNo: 0, amount: 100 }] },
        { source: "reward", lines: [{ lineNo: 1, amount: 400 }] },
      ],
    };
    expect(discountsBeforeStackedCoupons(quote, 2)).toEqual([200, 0]);
  });

  it("keeps a quote's whole line discount when its benefits tell no lines", () => {
    expect(discountsBeforeStackedCoupons({ lines: [{ discount: 250 }], applied: [{ source: "points" }] }, 1)).toEqual([
      250,
    ]);
  });
});
