export { type ActionAward, type ActionEvent, type ActionHistory, evaluateAction } from "./actions.ts";
export { evaluateEarning } from "./earning.ts";
export {
  forMemberships,
  isApplicable,
  matchesLine,
  paidAmount,
  paidUnits,
  segmentsFiltered,
} from "./eligibility.ts";
export { expiresAt, inactivityExpiry, noticeAt } from "./expiry.ts";
export {
  noSaleEffects,
  pricesNamedAfter,
  type RefundEffects,
  type RefundedEntry,
  refundedEntries,
  type SaleEffects,
  type SaleUpgrade,
  stampsToTakeBack,
  takeBackStamps,
  tierAfterRefund,
  tierOnJudgedPeriod,
  upgradesInForce,
} from "./refund-effects.ts";
export {
  type MatchedRefundLine,
  matchRefundLines,
  orderVoided,
  type RefundLineInput,
  type RefundMatch,
  type RefundReversalInput,
  refundedAfter,
  refundReversal,
  type SaleLineForRefund,
} from "./refunds.ts";
export { applyStamps, type StampLine, stampsEarned, stampsPerLine, walletPaidPerLine } from "./stamps.ts";
export {
  dueForTierJudging,
  effectiveTier,
  floorActive,
  gapsToTiers,
  latestJudgedTierSince,
  type TierFloor,
  type TierMember,
  type TierProgress,
  tierFor,
  tierOrEntry,
  tierPeriodEnd,
  tierProgress,
  tierWindowStart,
} from "./tiers.ts";
export {
  addMonthsLocal,
  instantOfWallClock,
  isBirthday,
  isoWeekday,
  localDate,
  startOfLocalDay,
  startOfNextLocalDay,
  type WallClock,
  wallClock,
} from "./time.ts";
export type {
  BasketLine,
  CustomerState,
  EarningInput,
  EarningResult,
  LineExplanation,
  RuleExplanation,
} from "./types.ts";
