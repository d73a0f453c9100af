export * from "./allocate.ts";
export { coveredLines, type DiscountBenefit, discountParts, freeItemParts, isDiscount, percentOf } from "./benefits.ts";
export * from "./codes.ts";
export type { Applied, Outcome, PricingContext } from "./context.ts";
export {
  basketRefusal,
  budgetLeft,
  type CouponStack,
  codeMaxUses,
  conditionsRefusal,
  couponRefusal,
  emptyStack,
  limitsRefusal,
  stackingRefusal,
  type UsageZones,
  usageDayOf,
  usedUpByCustomer,
  withinHours,
} from "./coupon-checks.ts";
export { applyCoupon, applyCoupons } from "./coupons.ts";
export * from "./held-basket.ts";
export { type HoldCodeSms, holdCodeLanguage, holdCodeLanguages, holdCodeSmsText } from "./hold-code-sms.ts";
export * from "./points.ts";
export { priceCheckout } from "./quote.ts";
export { formatMoney, refusal } from "./refusals.ts";
export { applyReward, applyRewards } from "./rewards.ts";
export * from "./sale-discounts.ts";
export { tierDiscount } from "./tier.ts";
export * from "./types.ts";
export * from "./unknown-codes.ts";
