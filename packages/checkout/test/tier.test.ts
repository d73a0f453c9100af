import { describe, expect, it } from "vitest";
import { priceCheckout } from "../src/index.ts";
import { coupon, input, member, programme } from "./fixtures.ts";

// A customer the ledger has not placed in a tier yet (registered and never bought, or last bought before the
// programme had tiers) holds the entry level, as purchase earning already treats them: its benefits are theirs.
describe("the tier discount of a customer without a tier yet", () => {
  const entryGivesFive = programme({
    tiers: {
      basis: "points_earned",
      window: "calendar_year",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0, benefits: { discountPercent: 5 } },
        { id: "silver", name: "Silver", threshold: 200, benefits: { discountPercent: 10 } },
      ],
    },
  });

  it("is the entry level's, the same as for a member stored at it", () => {
    const unplaced = priceCheckout(input({ programme: entryGivesFive, customer: member({ tier: null }) }));
    const bronze = priceCheckout(input({ programme: entryGivesFive, customer: member({ tier: "bronze" }) }));
    // 5% of 1080.
    expect(unplaced.applied).toEqual([expect.objectContaining({ source: "tier", ref: "bronze", amount: 54 })]);
    expect(unplaced.applied).toEqual(bronze.applied);
    expect(unplaced.total).toBe(1080 - 54);
  });

  it("is nothing without tiers, for an anonymous basket, or for an unknown stored tier", () => {
    expect(priceCheckout(input({ programme: programme(), customer: member({ tier: null }) })).applied).toEqual([]);
    expect(priceCheckout(input({ programme: entryGivesFive, customer: null })).applied).toEqual([]);
    expect(priceCheckout(input({ programme: entryGivesFive, customer: member({ tier: "vanished" }) })).applied).toEqual(
      [],
    );
  });
});

describe("a coupon for the entry level", () => {
  const tiers = {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0, benefits: {} },
      { id: "gold", name: "Gold", threshold: 500, benefits: {} },
    ],
  };
  const bronzeOnly = coupon("BRONZE5", {
    name: "Bronze five",
    benefit: { kind: "fixed_off", amount: 500 },
    conditions: { tiers: ["bronze"] },
  });
  const priced = (tier: string | null) =>
    priceCheckout(
      input({
        programme: programme({ tiers }),
        coupons: [bronzeOnly],
        customer: member({ tier }),
        selection: { couponCodes: ["BRONZE5"] },
      }),
    );

  it("applies to a member without a tier yet, as to one stored at it, and not to a gold member", () => {
    expect(priced(null).applied).toEqual([expect.objectContaining({ source: "coupon", ref: "BRONZE5", amount: 500 })]);
    expect(priced(null).applied).toEqual(priced("bronze").applied);
    expect(priced("gold").coupons[0]?.refusal?.code).toBe("wrong_tier");
  });
});
