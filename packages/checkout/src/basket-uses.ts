import type { KnownCoupon } from "./types.ts";

/**
 * The uses the coupons applied earlier in this basket will write when the hold is placed. The usage read
 * from the store cannot hold them yet: without them, several codes of one campaign typed into one basket
 * would each pass the campaign's limits (total, per customer, per day, per code, budget) on their own.
 */
export interface BasketUses {
  byCampaign: Map<string, { uses: number; discount: number }>;
  byCode: Map<string, number>;
}

export const noBasketUses = (): BasketUses => ({ byCampaign: new Map(), byCode: new Map() });

/**
 * The coupon as its limits must see it: stored usage plus this basket's earlier uses. Every use of one
 * basket is by its one customer and falls on today, so each counts for the total, the customer and the day.
 */
export function withBasketUses(coupon: KnownCoupon, code: string, basket: BasketUses): KnownCoupon {
  const campaign = coupon.campaign === null ? undefined : basket.byCampaign.get(coupon.campaign.id);
  const ofCode = basket.byCode.get(code) ?? 0;
  if (campaign === undefined && ofCode === 0) return coupon;
  const uses = campaign?.uses ?? 0;
  const { usage } = coupon;
  return {
    ...coupon,
    usage: {
      total: usage.total + uses,
      customer: usage.customer + uses,
      today: usage.today + uses,
      code: usage.code + ofCode,
      budgetSpent: usage.budgetSpent + (campaign?.discount ?? 0),
    },
  };
}

/** Notes an applied coupon's use; `discount` is what the budget counts (the money it took off). */
export function addBasketUse(basket: BasketUses, campaignId: string, code: string, discount: number): void {
  const campaign = basket.byCampaign.get(campaignId) ?? { uses: 0, discount: 0 };
  basket.byCampaign.set(campaignId, { uses: campaign.uses + 1, discount: campaign.discount + discount });
  basket.byCode.set(code, (basket.byCode.get(code) ?? 0) + 1);
}
