import { describe, expect, it } from "vitest";
import { priceCheckout } from "../src/index.ts";
import { coupon, input, line, member, programme, withLines } from "./fixtures.ts";

const silver = member({ tier: "silver", points: 1000, wallet: 2000 });

describe("priceCheckout: the basket", () => {
  it("a bare quote prices the lines as they are", () => {
    const q = priceCheckout(input());
    expect(q).toMatchObject({ currency: "EUR", subtotal: 1080, total: 1080, discount: 0, applied: [] });
    expect(q.lines).toEqual([
      { lineNo: 0, sku: "BURGER", quantity: 1, discount: 0, amount: 790 },
      { lineNo: 1, sku: "FRIES", quantity: 1, discount: 0, amount: 290 },
    ]);
  });

  it("a line's amount is quantity × unitPrice − its own discount; Quote.lines adds ours to its own", () => {
    const lines = [line("BURGER", 790, { quantity: 2, discount: 80 }), line("FRIES", 290)];
    const q = priceCheckout(withLines(lines, { customer: silver }));
    expect(q.subtotal).toBe(1500 + 290);
    // Silver: 5% of 1790 = 89, spread 1500:290 → 75 and 14.
    expect(q.applied[0]).toMatchObject({ source: "tier", ref: "silver", name: "Silver", amount: 89 });
    expect(q.lines).toEqual([
      { lineNo: 0, sku: "BURGER", quantity: 2, discount: 80 + 75, amount: 1425 },
      { lineNo: 1, sku: "FRIES", quantity: 1, discount: 14, amount: 276 },
    ]);
    expect(q.discount).toBe(89); // ours only: the terminal's own discount is in the subtotal already
    expect(q.total).toBe(1701);
  });

  it("the tier discount needs a customer in a tier that gives one", () => {
    expect(priceCheckout(input({ customer: member({ tier: "bronze" }) })).applied).toEqual([]);
    expect(priceCheckout(input({ customer: member({ tier: "vanished" }) })).applied).toEqual([]);
    expect(priceCheckout(input({ customer: null })).applied).toEqual([]);
    expect(priceCheckout(input({ customer: silver, programme: null })).applied).toEqual([]);
  });
});

describe("priceCheckout: order of application", () => {
  it("tier, then coupons as typed, rewards as chosen, points, wallet: each on what the others left", () => {
    const lines = [line("BURGER", 2000), line("VEG-PUFF", 1000)];
    const q = priceCheckout(
      withLines(lines, {
        customer: silver,
        coupons: [coupon("HALF", { benefit: { kind: "percent_off", percent: 50 } })],
        selection: { couponCodes: ["HALF"], rewardIds: ["thirty-off"], points: 100, wallet: 300 },
      }),
    );
    // 3000 → tier 5% (150) → 2850 → HALF 50% (1425) → 1425 → 30% (427) → 998 → 100 points (500) → 498 → wallet 300
    expect(q.applied.map((a) => [a.source, a.amount])).toEqual([
      ["tier", 150],
      ["coupon", 1425],
      ["reward", 427],
      ["points", 500],
      ["wallet", 300],
    ]);
    expect(q.total).toBe(198);
    expect(q.discount).toBe(3000 - 198);
    expect(q.points).toMatchObject({ requested: 100, applied: 100, value: 500, refusal: null });
    expect(q.wallet).toEqual({ balance: 2000, held: 0, requested: 300, applied: 300, refusal: null });
    expect(q.applied.find((a) => a.source === "reward")).toMatchObject({ ref: "thirty-off", points: 30, wallet: 0 });
    expect(q.applied.find((a) => a.source === "wallet")).toMatchObject({ ref: null, points: 0, wallet: 300 });
  });

  it("never goes below zero: what a benefit finds taken already it cannot take again", () => {
    const q = priceCheckout(
      input({
        coupons: [
          coupon("BIG", { benefit: { kind: "fixed_off", amount: 5000 } }),
          coupon("MORE", { benefit: { kind: "fixed_off", amount: 100 } }),
        ],
        selection: { couponCodes: ["BIG", "MORE"] },
      }),
    );
    expect(q.total).toBe(0);
    expect(q.applied.map((a) => a.amount)).toEqual([1080]);
    expect(q.coupons[1]).toMatchObject({ code: "MORE", applicable: false, refusal: { code: "nothing_to_discount" } });
  });
});

describe("priceCheckout: points", () => {
  const thirtyEuros = [line("MENU", 3000)];
  const rich = member({ points: 1000, heldPoints: 100 });

  it("the seeds: 150 points on a €30 basket take €7.50 off; 300 points are refused; 40 are too few", () => {
    const q = priceCheckout(withLines(thirtyEuros, { customer: rich, selection: { points: 150 } }));
    expect(q.total).toBe(2250);
    expect(q.applied).toEqual([
      {
        source: "points",
        ref: null,
        name: "Points",
        amount: 750,
        points: 150,
        wallet: 0,
        lines: [{ lineNo: 0, amount: 750 }],
      },
    ]);
    expect(q.points).toEqual({
      balance: 1000,
      held: 100,
      spendable: 900,
      minPoints: 50,
      step: 1,
      maxUsable: 200,
      requested: 150,
      applied: 150,
      value: 750,
      refusal: null,
    });
    const tooMany = priceCheckout(withLines(thirtyEuros, { customer: rich, selection: { points: 300 } }));
    expect(tooMany.points).toMatchObject({ applied: 0, value: 0, refusal: { code: "max_discount_reached" } });
    expect(tooMany.total).toBe(3000);
    const tooFew = priceCheckout(withLines(thirtyEuros, { customer: rich, selection: { points: 40 } }));
    expect(tooFew.points.refusal?.code).toBe("below_minimum_points");
  });

  it("rewards spend points first: points and maxUsable see what the rewards left", () => {
    const lines = [line("MENU", 3000), line("VEG-PUFF", 400)];
    const customer = member({ points: 100 });
    const q = priceCheckout(withLines(lines, { customer, selection: { rewardIds: ["veg-puff"], points: 90 } }));
    expect(q.points).toMatchObject({ spendable: 100, maxUsable: 80, refusal: { code: "not_enough_points" } });
    const ok = priceCheckout(withLines(lines, { customer, selection: { rewardIds: ["veg-puff"], points: 80 } }));
    expect(ok.total).toBe(3000 - 400);
    expect(ok.applied.map((a) => [a.source, a.points])).toEqual([
      ["reward", 20],
      ["points", 80],
    ]);
  });

  it("maxUsable is 0 without a redemption config or a customer; points are refused then", () => {
    const none = priceCheckout(input({ customer: rich, programme: programme(), selection: { points: 100 } }));
    expect(none.points).toMatchObject({
      maxUsable: 0,
      minPoints: 0,
      step: 1,
      refusal: { code: "points_not_redeemable" },
    });
    const anonymous = priceCheckout(input({ customer: null, selection: { points: 100 } }));
    expect(anonymous.points).toMatchObject({
      balance: 0,
      spendable: 0,
      maxUsable: 0,
      refusal: { code: "customer_required" },
    });
  });

  it("points worth more than is left to pay are refused, and maxUsable fits the basket", () => {
    const q = priceCheckout(withLines([line("COFFEE", 250)], { customer: rich, selection: { points: 60 } }));
    expect(q.points).toMatchObject({ maxUsable: 50, refusal: { code: "nothing_to_discount" } });
    expect(q.total).toBe(250);
  });
});

describe("priceCheckout: wallet cash", () => {
  it("pays after points, up to what the wallet holds net of holds and what is left to pay", () => {
    const customer = member({ wallet: 1000, heldWallet: 400 });
    const spend = (wallet: number, lines = [line("MENU", 500)]) =>
      priceCheckout(withLines(lines, { customer, selection: { wallet } }));
    expect(spend(500).total).toBe(0);
    expect(spend(500).applied).toEqual([
      {
        source: "wallet",
        ref: null,
        name: "Wallet cash",
        amount: 500,
        points: 0,
        wallet: 500,
        lines: [{ lineNo: 0, amount: 500 }],
      },
    ]);
    expect(spend(601).wallet).toMatchObject({
      balance: 1000,
      held: 400,
      applied: 0,
      refusal: { code: "not_enough_wallet" },
    });
    expect(spend(501).wallet.refusal?.code).toBe("nothing_to_discount");
    expect(spend(300, [line("A", 100), line("B", 300)]).applied[0]!.lines).toEqual([
      { lineNo: 0, amount: 75 },
      { lineNo: 1, amount: 225 },
    ]);
  });
});

describe("priceCheckout: an anonymous basket", () => {
  it("gets no tier discount; rewards, points, wallet and customer coupons need a customer; plain coupons work", () => {
    const q = priceCheckout(
      withLines([line("BURGER", 790), line("VEG-PUFF", 400)], {
        customer: null,
        coupons: [
          coupon("GOLD", { benefit: { kind: "fixed_off", amount: 100 }, conditions: { tiers: ["gold"] } }),
          coupon("ONCE", { benefit: { kind: "fixed_off", amount: 100 }, limits: { perCustomer: 1 } }),
          coupon("LUNCH", { benefit: { kind: "fixed_off", amount: 100 } }),
        ],
        selection: { couponCodes: ["GOLD", "ONCE", "LUNCH"], rewardIds: ["veg-puff"], points: 100, wallet: 100 },
      }),
    );
    expect(q.coupons.map((c) => [c.code, c.refusal?.code ?? null])).toEqual([
      ["GOLD", "customer_required"],
      ["ONCE", "customer_required"],
      ["LUNCH", null],
    ]);
    expect(q.rewards.map((r) => [r.id, r.refusal?.code])).toEqual([
      ["veg-puff", "customer_required"],
      ["thirty-off", "customer_required"],
    ]);
    expect(q.points.refusal?.code).toBe("customer_required");
    expect(q.wallet).toEqual({ balance: 0, held: 0, requested: 100, applied: 0, refusal: q.wallet.refusal });
    expect(q.wallet.refusal?.code).toBe("customer_required");
    expect(q.applied.map((a) => a.ref)).toEqual(["LUNCH"]);
    expect(q.total).toBe(1090);
  });
});
