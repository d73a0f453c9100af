// @regulars/privacy: GDPR for a tenant's customers. Export of everything held about a customer (Postgres and
// ClickHouse), erasure (personal data deleted or scrubbed, ClickHouse facts re-keyed to a random pseudonym,
// behavioural events deleted; the ledger stays whole), retention settings and the jobs that apply them.
// Every table holding customer ids is classified in tables.ts (ClickHouse's in clickhouse-tables.ts). Owns
// erasure_requests, retention_settings and customers.erased_at.
export { eraseClickhouse } from "./clickhouse.ts";
export { type ClickHouseErasure, clickhouseTables } from "./clickhouse-tables.ts";
export { type ErasureOrigin, eraseCustomer, finishErasure } from "./erase.ts";
export { type CustomerExport, exportCustomer, exportPostgres } from "./export.ts";
export { jsonWithoutCustomers } from "./json-tables.ts";
export { personIds } from "./person.ts";
export { monthsBefore, type RetentionCutoffs, retentionCutoffs, unclassifiedTables } from "./policy.ts";
export * from "./privacy.types.ts";
export {
  applyRetention,
  clearOldMessages,
  finishErasures,
  getRetention,
  type PrivacyJobContext,
  setRetention,
} from "./retention.ts";
export { markStreamsErased, type PendingStreamErasure, pendingStreamErasures } from "./stream-erasures.ts";
export { erasedText, type PostgresErasure } from "./table-rule.ts";
export { postgresTables } from "./tables.ts";
export { clickhouseTextHits, clickhouseTotals, postgresTextHits } from "./verify.ts";
