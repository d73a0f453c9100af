import type { Quote } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import {
  type CheckoutInput,
  discountsBeforeStackedCoupons,
  emptyStack,
  heldToWhatIsLeft,
  leftAfterQuote,
  priceCheckout,
  withoutTierDiscount,
} from "../src/index.ts";
import { coupon, input, line, member, programme, seedProgramme, welcomeFries, withLines } from "./fixtures.ts";

const welcome = coupon("WELCOME", welcomeFries);
const friesFree = coupon("FRIES-FREE", { ...welcomeFries, name: "Fries free" });
const tenPercent = coupon("TEN-PCT", { name: "Ten percent", benefit: { kind: "percent_off", percent: 10 } });
const silver = member({ tier: "silver", points: 1000 });
const rich = member({ points: 1000 });

/** What `code` takes off when posted on the sale of a hold priced by `hold`, as the ledger prices it. */
function postedAfterHold(hold: CheckoutInput, code: string) {
  const held = priceCheckout(hold);
  const taken = discountsBeforeStackedCoupons(held, hold.basket.lines.length);
  const priced = priceCheckout({
    ...hold,
    basket: { ...hold.basket, lines: hold.basket.lines.map((l, i) => ({ ...l, discount: taken[i]! })) },
    programme: withoutTierDiscount(hold.programme),
    selection: { couponCodes: [code], rewardIds: [], points: 0, wallet: 0 },
    stackedOn: { ...emptyStack(), codes: [...hold.selection.couponCodes] },
  });
  const posted = heldToWhatIsLeft(priced, leftAfterQuote(held, hold.basket.lines));
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
    // 5% of 1700 = 85; free fries 380 of the 400 − 20 left; 10% of 1235 = 123: 95 of the burger's 950, 28 of the
    // puff's 285. Posted on the sale, the puff's 28 is gone: the hold's reward took all 285 of it, committed.
    expect(quotedWithHold(hold, "TEN-PCT")).toBe(123);
    expect(postedAfterHold(hold, "TEN-PCT")).toBe(95);
    // The customer pays the same either way: in the quote the reward takes only the puff's 257 the code left.
    const quoted = priceCheckout({ ...hold, selection: { ...hold.selection, couponCodes: ["WELCOME", "TEN-PCT"] } });
    expect(priceCheckout(hold).total - 95).toBe(quoted.total);
  });

  it("takes nothing a hold's reward freed: a second free fries beside a free-fries reward is refused, not counted", () => {
    const friesReward = { id: "fries", name: "Free fries", points: 20, benefit: welcomeFries.benefit };
    const withFries = programme({ ...seedProgramme, rewards: [...seedProgramme.rewards, friesReward] });
    const hold = input({
      programme: withFries,
      customer: rich,
      coupons: [friesFree],
      selection: { rewardIds: ["fries"] },
    });
    expect(priceCheckout(hold).applied.map((a) => [a.source, a.amount])).toEqual([["reward", 290]]);
    // Quoted together the code comes first and the reward finds nothing; at the sale the reward is committed.
    expect(quotedWithHold(hold, "FRIES-FREE")).toBe(290);
    expect(postedAfterHold(hold, "FRIES-FREE")).toBe("nothing_to_discount");
  });

  it("takes only what points left to pay: 10% off beside points that paid all but €1 of the basket", () => {
    const lines = [line("BURGER", 1000), line("FRIES", 100)];
    const hold = withLines(lines, { customer: rich, coupons: [tenPercent], selection: { points: 200 } });
    expect(priceCheckout(hold).total).toBe(100);
    // 10% of 1100 = 110 before the points; after them 100 is left, all on the fries or the burger as the points left it.
    expect(quotedWithHold(hold, "TEN-PCT")).toBe(110);
    expect(postedAfterHold(hold, "TEN-PCT")).toBeLessThanOrEqual(100);
    expect(postedAfterHold(hold, "TEN-PCT")).toBeGreaterThan(0);
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

describe("heldToWhatIsLeft", () => {
  const benefit = (ref: string, lines: { lineNo: number; amount: number }[], source = "coupon" as const) => ({
    source,
    ref,
    name: ref,
    amount: lines.reduce((s, l) => s + l.amount, 0),
    points: 0,
    wallet: 0,
    lines,
  });
  const quoteOf = (applied: ReturnType<typeof benefit>[]): Quote => ({
    ...priceCheckout(input()),
    applied,
    coupons: applied.map((a) => ({
      code: a.ref,
      campaignId: "c",
      name: a.ref,
      selected: true,
      applicable: true,
      refusal: null,
    })) as Quote["coupons"],
  });

  it("holds the codes, in order, to what is unpaid on each line, and refuses one left with nothing", () => {
    const held = heldToWhatIsLeft(
      quoteOf([
        benefit("A", [
          { lineNo: 0, amount: 300 },
          { lineNo: 1, amount: 50 },
        ]),
        benefit("B", [{ lineNo: 0, amount: 200 }]),
        benefit("C", [{ lineNo: 1, amount: 10 }]),
      ]),
      [400, 0],
    );
    expect(held.applied.map((a) => [a.ref, a.amount, a.lines])).toEqual([
      ["A", 300, [{ lineNo: 0, amount: 300 }]],
      ["B", 100, [{ lineNo: 0, amount: 100 }]],
    ]);
    expect(held.coupons.map((c) => [c.code, c.refusal?.code ?? null])).toEqual([
      ["A", null],
      ["B", null],
      ["C", "nothing_to_discount"],
    ]);
  });

  it("keeps credits, which take no line", () => {
    const credit = { ...benefit("BONUS", []), points: -50 };
    expect(heldToWhatIsLeft(quoteOf([credit]), [0, 0]).applied).toEqual([credit]);
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
