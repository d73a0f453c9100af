export { type CustomerBalances, customerBalances, findBalanceDrift } from "./balances.ts";
export { type CustomerLookup, type Resolution, resolveCustomers } from "./customers.ts";
export { announceMovements, movementEvents, trackMilestones } from "./milestones.ts";
export { type NewMovement, type PostedMovement, postMovements, postMovementsDetailed } from "./movements.ts";
export { type OutboxItem, outboxItem, writeOutbox } from "./outbox.ts";
export { qualifyingValues, type TierBasis } from "./qualifying.ts";
export {
  pruneAcceptanceRecords,
  type Receipt,
  type Rejection,
  type RejectionCode,
  recordReceipts,
  recordRejections,
  type TransactionStatus,
  transactionStatus,
} from "./transaction-status.ts";
