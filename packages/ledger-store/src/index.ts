export { resolveCustomers, type CustomerLookup, type Resolution } from "./customers.ts";
export { postMovements, postMovementsDetailed, type NewMovement, type PostedMovement } from "./movements.ts";
export { customerBalances, findBalanceDrift, type CustomerBalances } from "./balances.ts";
export { writeOutbox, outboxItem, type OutboxItem } from "./outbox.ts";
export { trackMilestones, movementEvents, announceMovements } from "./milestones.ts";
export { qualifyingValues, type TierBasis } from "./qualifying.ts";
export { pruneAcceptanceRecords, recordReceipts, recordRejections, transactionStatus, type Receipt, type Rejection, type RejectionCode, type TransactionStatus } from "./transaction-status.ts";
