import { describe, expect, it } from "vitest";
import { priceCheckout } from "../src/index.ts";
import { coupon, input, line, member, noUsage, welcomeFries, withLines } from "./fixtures.ts";

const fiveOff = { benefit: { kind: "fixed_off", amount: 500 } };
const priced = (coupons: ReturnType<typeof coupon>[], couponCodes: string[], more: Parameters<typeof input>[0] = {}) =>
  priceCheckout(input({ coupons, selection: { couponCodes }, ...more }));

describe("priceCheckout: coupons", () => {
  it("the welcome fries coupon: in the wallet it shows untyped; typed, the fries are free", () => {
    const welcome = coupon(
      "WELCOME-7KQ4",
      { ...welcomeFries, codes: { kind: "unique", pattern: "WELCOME-XXXX" } },
      {
        inWallet: true,
      },
    );
    const bare = priceCheckout(input({ coupons: [welcome] }));
    expect(bare.coupons).toEqual([
      {
        code: "WELCOME-7KQ4",
        campaignId: "campaign-welcome-7kq4",
        name: "Welcome fries",
        selected: false,
        inWallet: true,
        applicable: true,
        refusal: null,
      },
    ]);
    expect(bare.total).toBe(1080);

    const used = priceCheckout(input({ coupons: [welcome], selection: { couponCodes: ["welcome-7kq4"] } }));
    expect(used.applied).toEqual([
      {
        source: "coupon",
        ref: "WELCOME-7KQ4",
        name: "Welcome fries",
        amount: 290,
        points: 0,
        wallet: 0,
        lines: [{ lineNo: 1, amount: 290 }],
      },
    ]);
    expect(used.coupons[0]).toMatchObject({ selected: true, inWallet: true, applicable: true });
    expect(used.total).toBe(790);
  });

  it("one-time vs multi-use codes: a used unique code is used up, a generic code is not", () => {
    const usedOnce = { usage: { ...noUsage, code: 1 } };
    const unique = coupon("WELCOME-7KQ4", { ...fiveOff, codes: { kind: "unique", pattern: "WELCOME-XXXX" } }, usedOnce);
    const generic = coupon("LUNCH", fiveOff, { usage: { ...noUsage, code: 4000, total: 4000 } });
    const q = priced([unique, generic], ["WELCOME-7KQ4", "LUNCH"]);
    expect(q.coupons.map((c) => [c.code, c.refusal?.code ?? null])).toEqual([
      ["WELCOME-7KQ4", "code_used_up"],
      ["LUNCH", null],
    ]);
    expect(q.total).toBe(580);
  });

  it("a location-specific coupon is refused elsewhere with wrong_location, and the rest is still priced", () => {
    const krakow = coupon("KRAKOW", { ...fiveOff, conditions: { locations: ["krakow-rynek"] } });
    const q = priced([krakow, coupon("LUNCH", fiveOff)], ["KRAKOW", "LUNCH"], { customer: member({ tier: "silver" }) });
    expect(q.coupons[0]).toMatchObject({
      code: "KRAKOW",
      applicable: false,
      refusal: { code: "wrong_location", message: "This coupon cannot be used at this location." },
    });
    expect(q.applied.map((a) => a.ref)).toEqual(["silver", "LUNCH"]);
  });

  it("a typed code nobody knows is unknown_code; codes compare case-insensitively", () => {
    const q = priced([coupon("LUNCH", fiveOff)], ["nope-123", "lunch"]);
    expect(q.coupons).toMatchObject([
      {
        code: "NOPE-123",
        campaignId: null,
        name: null,
        selected: true,
        inWallet: false,
        refusal: { code: "unknown_code" },
      },
      { code: "LUNCH", applicable: true },
    ]);
  });

  it("stacking: an exclusive coupon stands alone, one coupon per group, a code only once", () => {
    const exclusive = coupon("SOLO", { ...fiveOff, stacking: { exclusive: true } });
    const plain = coupon("LUNCH", { benefit: { kind: "fixed_off", amount: 100 } });
    const breakfastA = coupon("EGG", { ...fiveOff, stacking: { group: "breakfast" } });
    const breakfastB = coupon("TOAST", { ...fiveOff, stacking: { group: "breakfast" } });
    const codes = (q: ReturnType<typeof priceCheckout>) => q.coupons.map((c) => c.refusal?.code ?? null);
    expect(codes(priced([exclusive, plain], ["SOLO", "LUNCH"]))).toEqual([null, "not_combinable"]);
    expect(codes(priced([exclusive, plain], ["LUNCH", "SOLO"]))).toEqual([null, "not_combinable"]);
    expect(codes(priced([breakfastA, breakfastB, plain], ["EGG", "TOAST", "LUNCH"]))).toEqual([
      null,
      "not_combinable",
      null,
    ]);
    const twice = priced([plain], ["LUNCH", "LUNCH"]);
    expect(codes(twice)).toEqual([null, "not_combinable"]);
    expect(twice.total).toBe(980);
  });

  it("a refused coupon does not block stacking: an exclusive one after it still applies", () => {
    const expired = coupon("OLD", { ...fiveOff, conditions: { validTo: "2025-01-01T00:00:00Z" } });
    const exclusive = coupon("SOLO", { ...fiveOff, stacking: { exclusive: true } });
    const q = priced([expired, exclusive], ["OLD", "SOLO"]);
    expect(q.coupons.map((c) => c.refusal?.code ?? null)).toEqual(["expired", null]);
  });

  it("wallet coupons nobody typed are judged alone: without stacking, on the basket the coupons found", () => {
    const exclusive = coupon("SOLO", { ...fiveOff, stacking: { exclusive: true } });
    const inWallet = coupon("WALLET-A", { benefit: { kind: "percent_off", percent: 10 } }, { inWallet: true });
    const q = priced([exclusive, inWallet], ["SOLO"]);
    expect(q.coupons.map((c) => [c.code, c.selected, c.applicable])).toEqual([
      ["SOLO", true, true],
      ["WALLET-A", false, true],
    ]);
  });

  it("the budget caps the discount to what is left of it", () => {
    const half = { benefit: { kind: "percent_off", percent: 50 }, limits: { budget: 10_000 } };
    const q = priced([coupon("HALF", half, { usage: { ...noUsage, budgetSpent: 9_900 } })], ["HALF"]);
    expect(q.applied[0]).toMatchObject({
      amount: 100,
      lines: [
        { lineNo: 0, amount: 73 },
        { lineNo: 1, amount: 27 },
      ],
    });
  });

  it("percent_off caps at maxAmount; fixed_off with a match takes only from matching lines", () => {
    const capped = coupon("CAP", { benefit: { kind: "percent_off", percent: 50, maxAmount: 200 } });
    expect(priced([capped], ["CAP"]).total).toBe(880);
    const friesOff = coupon("FRY", { benefit: { kind: "fixed_off", amount: 1000, match: { skus: ["FRIES"] } } });
    expect(priced([friesOff], ["FRY"]).lines).toEqual([
      { lineNo: 0, sku: "BURGER", quantity: 1, discount: 0, amount: 790 },
      { lineNo: 1, sku: "FRIES", quantity: 1, discount: 290, amount: 0 },
    ]);
  });

  it("bonus_points and wallet_cash coupons take nothing off: credits for later, on no line", () => {
    const bonus = coupon("BONUS", { benefit: { kind: "bonus_points", points: 50 } });
    const cash = coupon("CASH", { benefit: { kind: "wallet_cash", amount: 300 } });
    const q = priced([bonus, cash], ["BONUS", "CASH"]);
    expect(q.applied).toEqual([
      { source: "coupon", ref: "BONUS", name: "Test coupon", amount: 0, points: -50, wallet: 0, lines: [] },
      { source: "coupon", ref: "CASH", name: "Test coupon", amount: 0, points: 0, wallet: -300, lines: [] },
    ]);
    expect(q.total).toBe(1080);
    expect(q.discount).toBe(0);
  });

  it("an anonymous basket cannot take bonus points or wallet cash: there is no one to credit", () => {
    const bonus = coupon("BONUS", { benefit: { kind: "bonus_points", points: 50 } });
    const cash = coupon("CASH", { benefit: { kind: "wallet_cash", amount: 300 } });
    const q = priced([bonus, cash], ["BONUS", "CASH"], { customer: null });
    expect(q.applied).toEqual([]);
    expect(q.coupons.map((c) => [c.code, c.refusal?.code])).toEqual([
      ["BONUS", "customer_required"],
      ["CASH", "customer_required"],
    ]);
  });

  it("a minimum basket counts the lines before the terminal's own discount, as a sale's posted code is priced", () => {
    const big15 = coupon("BIG15", { benefit: { kind: "fixed_off", amount: 200 }, conditions: { minBasket: 1500 } });
    const selection = { couponCodes: ["BIG15"] };
    // €16 ordered, €2 off the burger at the till (happy hour): the quote as the till asks it, and the sale as the
    // ledger prices its posted code (its lines before the discount the till gave).
    const asQuoted = [line("BURGER", 1200, { discount: 200 }), line("FRIES", 400)];
    const asPosted = asQuoted.map((l) => ({ ...l, discount: 0 }));
    for (const lines of [asQuoted, asPosted])
      expect(priceCheckout(withLines(lines, { coupons: [big15], selection })).coupons[0]?.refusal).toBeNull();
    const small = [line("BURGER", 1100), line("FRIES", 390)];
    expect(priceCheckout(withLines(small, { coupons: [big15], selection })).coupons[0]?.refusal?.code).toBe(
      "below_minimum_basket",
    );
  });

  it("the typed codes stack after the coupons on the basket already", () => {
    const soloB = coupon("SOLO-B", { ...fiveOff, stacking: { exclusive: true } });
    const stackedOn = { codes: ["SOLO-A"], applied: [{ exclusive: true, group: undefined }] };
    const q = priceCheckout({ ...input({ coupons: [soloB], selection: { couponCodes: ["SOLO-B"] } }), stackedOn });
    expect(q.applied).toEqual([]);
    expect(q.coupons.map((c) => [c.code, c.refusal?.code])).toEqual([["SOLO-B", "not_combinable"]]);
    expect(priced([soloB], ["SOLO-B"]).coupons[0]?.refusal).toBeNull();
  });

  it("nothing_to_discount when the lines a discount covers are paid already", () => {
    const friesFree = coupon("FRIES1", welcomeFries);
    const friesHalf = coupon("FRIES2", { benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } } });
    const q = priced([friesFree, friesHalf], ["FRIES1", "FRIES2"]);
    expect(q.coupons.map((c) => c.refusal?.code ?? null)).toEqual([null, "nothing_to_discount"]);
  });

  it("a free item takes the cheapest matching item, a line of 3 counting as 3", () => {
    const lines = [line("FRIES", 350, { quantity: 3 }), line("FRIES", 290, { discount: 40 })];
    const two = coupon("TWO", { benefit: { kind: "free_item", match: { skus: ["FRIES"] }, quantity: 2 } });
    const q = priceCheckout(withLines(lines, { coupons: [two], selection: { couponCodes: ["TWO"] } }));
    // The 290 fries (250 left after the terminal's discount) and one 350 fries.
    expect(q.applied[0]!.lines).toEqual([
      { lineNo: 0, amount: 350 },
      { lineNo: 1, amount: 250 },
    ]);
  });
});
