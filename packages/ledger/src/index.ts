// @regulars/ledger: the ledger's pure domain, no I/O. Double-entry postings, how movements change point lots
// (FIFO, pending, debt paid off first), milestone and tier-gap crossings, and what a sale or a refund does to a customer's
// loyalty (movements, events, stamps, tiers) given their state. `@regulars/ledger-store` runs these in Postgres.
export {
  type CrossingChanges,
  type CrossingState,
  crossingKey,
  milestoneChanges,
  movementEvents,
} from "./crossings.ts";
export {
  customersNeedingLots,
  type FreshMovement,
  type Lot,
  type LotChanges,
  type LotTake,
  planLotChanges,
} from "./lots.ts";
export type { LoyaltyState, ProgrammeAt, SaleRecord, StoredRefundEffects } from "./loyalty.ts";
export { mergeKey, originalLotKey } from "./merged-lots.ts";
export { campaignActor, campaignOfActor, type NewMovement, type PostedMovement } from "./movement.ts";
export {
  type CustomerAccount,
  customerAccountKind,
  type MovementKind,
  type Posting,
  postingsFor,
  TENANT_OWNER,
  tenantAccountKind,
  tenantOwner,
  type Unit,
} from "./postings.ts";
export { planRefund, type RefundPlan } from "./refund-plan.ts";
export { type ReturnedLot, returnedLots } from "./returned-lots.ts";
export {
  everyLineRefunded,
  type Redemption,
  type RefundedLineInput,
  type RefundedPrice,
  redemptionsToReturn,
  refundedPrices,
  type SaleLinePrice,
  type Spent,
} from "./returned-redemptions.ts";
export { planSale, type SalePlan, saleRecordOf, stampRewardKey, tierRewardKey } from "./sale-plan.ts";
export {
  type QualifyingMove,
  type TierGap,
  type TierGapBatch,
  type TierGapChanges,
  type TierGapState,
  tierGapChanges,
  tierGapKey,
} from "./tier-gaps.ts";
