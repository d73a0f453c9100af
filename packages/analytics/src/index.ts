// @regulars/analytics: the ClickHouse side of Regulars. Behavioural facts are written by the stream
// consumer in large batches and read by analysts and segment builders, against chdb (dev, tests) or a
// ClickHouse server over HTTP (production), both through @clickhouse/client.

export * from "./analyst-sql/index.ts";
export { type Analytics, createAnalytics } from "./analytics.ts";
export {
  type CampaignEnrolmentRow,
  type CampaignEvent,
  insertCampaignEvents,
  isCampaignEvent,
  type MessageEvent,
  type MessageEventRow,
} from "./campaign-events.ts";
export { type AnalyticsConfig, assertIdentifier } from "./config.ts";
export { type CustomerKeys, keyedMutationSettings, withCustomerKeys } from "./customer-keys.ts";
export {
  type CustomerColumn,
  type CustomerRowsAction,
  type CustomerRowsMerge,
  clickhouseCustomerTables,
  factKeys,
  mergeCustomerRows,
  rekeyCustomerRows,
  rowsOfCustomers,
} from "./customer-rows.ts";
export { type CustomerSnapshotRow, customersWithSnapshot, insertCustomerSnapshots } from "./customers.ts";
export * from "./dashboard/index.ts";
export type { BehaviouralEventFact, TransactionFact } from "./facts.ts";
export { type LocationSeen, locationsSeenAtTills, locationsSeenDays } from "./locations-seen.ts";
export {
  type FactsTarget,
  insertLoyaltyEvents,
  type LoyaltyEventRow,
  loyaltyEventTypes,
  toLoyaltyEventRow,
} from "./loyalty-events.ts";
export { applyMigrations, loadMigrations, type Migration, MigrationChecksumError } from "./migrations.ts";
export { defaultMaxPartitionsPerInsert, splitByPartition } from "./partitions.ts";
export type { TransactionSummary } from "./queries.ts";
export { isClickHouseServerStateError, isTransientClickHouseError } from "./transient.ts";
export { insertVoidedTransactions, type VoidedTransaction } from "./voided.ts";
