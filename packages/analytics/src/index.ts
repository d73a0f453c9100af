// @regulars/analytics: the ClickHouse side of Regulars. Behavioural facts are written by the stream
// consumer in large batches and read by analysts and segment builders, against chdb (dev, tests) or a
// ClickHouse server over HTTP (production), both through @clickhouse/client.
export { createAnalytics, type Analytics } from "./analytics.ts";
export { assertIdentifier, type AnalyticsConfig } from "./config.ts";
export type { BehaviouralEventFact, TransactionFact } from "./facts.ts";
export { applyMigrations, loadMigrations, MigrationChecksumError, type Migration } from "./migrations.ts";
export type { TransactionSummary } from "./queries.ts";
export { splitByPartition, defaultMaxPartitionsPerInsert } from "./partitions.ts";
export { isTransientClickHouseError } from "./transient.ts";
