// @regulars/ledger-store: every read and write of the ledger in Postgres. Accounts, entries, lots, balances
// and milestones (accounts/), transactions applied in batches, their status and what refunds need
// (transactions/), customers, their loyalty state and action points (customers/), the scheduled jobs' work
// (jobs/), and the outbox of domain events. The arithmetic is `@regulars/ledger`'s; no other package writes
// ledger SQL.
// The actor a campaign's bonus is posted under: its points.earned names the campaign by it.
export { campaignActor } from "@regulars/ledger";
export { type AdjustInput, adjustBalance, awardBonusPoints, type BonusInput } from "./accounts/adjust.ts";
export { type Announced, postAndAnnounce } from "./accounts/announce.ts";
export { announcedExpiryStands } from "./accounts/announced-expiry.ts";
export {
  type CustomerBalances,
  customerBalances,
  customerSummary,
  findBalanceDrift,
  ledgerTotals,
  pointsBalancesOf,
  tenantIssued,
} from "./accounts/balances.ts";
export { pseudonymiseErasedCustomers } from "./accounts/erased-events.ts";
export { nextLotExpiries } from "./accounts/expiring.ts";
export { customerLedger, type LedgerLine, movementIdByKey, transactionMovements } from "./accounts/history.ts";
export { type InactivityClock, inactivityClocksOf } from "./accounts/inactivity-clock.ts";
export { trackMilestones } from "./accounts/milestones.ts";
export { bonusStepKeySql } from "./accounts/movement-key.ts";
export { postMovements, postMovementsDetailed } from "./accounts/movements.ts";
export { qualifyingValueNow, qualifyingValues, type TierBasis } from "./accounts/qualifying.ts";
export { type TransferredBalances, transferBalances } from "./accounts/transfer.ts";
export { refundedSalesVerdicts } from "./accounts/voided-sales.ts";
export { applyEventBatch } from "./customers/actions.ts";
export { eventStatus, recordDeadLetteredEvent } from "./customers/event-outcomes.ts";
export { identityOwner, reachablePhoneSql, spelledIdentity } from "./customers/identity-owner.ts";
export { loadLoyaltyStates, lockCustomers, lockSales, saveLoyaltyStates } from "./customers/loyalty-state.ts";
export { adoptLoyaltyState } from "./customers/merge-loyalty.ts";
export { type CustomerLookup, type Resolution, resolveCustomers, survivorsOf } from "./customers/resolve.ts";
export { adoptStampProgress } from "./customers/stamp-progress.ts";
export { customerStanding, type Standing, setTierFloor, type TierFloorInput } from "./customers/standing.ts";
export { type LockedCustomer, lockSurvivor } from "./customers/survivor-lock.ts";
export { ledgerDefaults } from "./defaults.ts";
export { readCheckoutCustomer } from "./holds/checkout-state.ts";
export {
  type ConfirmedHold,
  confirmationPolicy,
  confirmHold,
  type HoldConfirmation,
  maskPhone,
  type SendConfirmationSms,
} from "./holds/confirm.ts";
export {
  claimHeldHolds,
  type HoldClaim,
  type HoldEnding,
  type SaleHoldRefusal,
  type SaleNamingHold,
  saleHoldRefusals,
  type UnclaimedHold,
} from "./holds/held-baskets.ts";
export {
  type CheckoutDeps,
  type HoldDeps,
  type PlacedHold,
  placeHold,
  quoteCheckout,
  refusedSelections,
} from "./holds/place.ts";
export { type HoldStatus, holdLapsed, holdView, releaseExpiredHolds, voidHold } from "./holds/release.ts";
export type { JobContext, JobResult } from "./jobs/context.ts";
export { expirePoints } from "./jobs/expire-points.ts";
export { sendExpiryNotices } from "./jobs/expiry-notices.ts";
export { announcedInactivityExpiries, inactivityNoticeId } from "./jobs/inactivity-notice.ts";
export { releasePendingPoints } from "./jobs/release-pending.ts";
export { applyTierDowngrades } from "./jobs/tier-downgrades.ts";
export {
  expandOutbox,
  hasUnpublished,
  markPublished,
  type OutboxItem,
  outboxBacklog,
  outboxBatch,
  outboxBatchType,
  outboxEventsOf,
  outboxItem,
  pruneOutbox,
  relayUnpublished,
  writeOutbox,
} from "./outbox.ts";
export {
  type AppliedBatch,
  applyTransactionBatch,
  type BatchOptions,
  type BatchSource,
  ConcurrentApplyError,
  type LedgerDeps,
} from "./transactions/apply-batch.ts";
export {
  type DeadLetteredMessage,
  recordDeadLetteredTransaction,
  skipDeadLettered,
} from "./transactions/dead-letters.ts";
export type { ApplyOutcome } from "./transactions/outcome.ts";
export {
  type ExpiredRefund,
  expireParkedRefunds,
  type ParkedRefund,
  parkRefunds,
  saleDidNotArrive,
  takeParkedRefunds,
} from "./transactions/parked.ts";
export {
  adoptStream,
  advancePositions,
  claimPartitions,
  ensurePartitions,
  heartbeat,
  LeaseLostError,
  lockPositions,
  type PartitionGuard,
  type PartitionLease,
  partitionPositions,
  positionsCountIn,
  releasePartitions,
  renewLeases,
  retireWorker,
  StreamChangedError,
} from "./transactions/partitions.ts";
export { loadProcessedEvents, processedEvent } from "./transactions/processed-event.ts";
export { externalIdOf, transactionRecord } from "./transactions/record.ts";
export { listRejections, type RejectionsPage, type RejectionView } from "./transactions/rejections.ts";
export {
  pruneAcceptanceRecords,
  type Receipt,
  type Rejection,
  recordReceipts,
  recordRejections,
} from "./transactions/status.ts";
export { type TransactionStatus, transactionStatus } from "./transactions/status-read.ts";
