import type { ClickHouseClient } from "@clickhouse/client";
import { type AnalyticsConfig, assertIdentifier, createClickHouseClient } from "./config.ts";
import {
  type BehaviouralEventFact,
  type TransactionFact,
  toEventRow,
  toTransactionLineRows,
  toTransactionRow,
} from "./facts.ts";
import { applyMigrations } from "./migrations.ts";
import { splitByPartition } from "./partitions.ts";
import { countEvents, countTransactions, getTransaction, type TransactionSummary } from "./queries.ts";

export interface Analytics {
  readonly client: ClickHouseClient;
  readonly database: string;
  /** Idempotent; creates the database if missing. Returns the migrations applied by this call. */
  migrate(): Promise<{ applied: string[] }>;
  ping(): Promise<boolean>;
  /** Writes rows to transactions AND transaction_lines, one insert per table. */
  insertTransactions(facts: TransactionFact[]): Promise<void>;
  insertEvents(facts: BehaviouralEventFact[]): Promise<void>;
  /** Counts each transaction once however often it was delivered. */
  countTransactions(tenantId: string, filter?: { customerId?: string }): Promise<number>;
  getTransaction(tenantId: string, transactionId: string): Promise<TransactionSummary | null>;
  countEvents(tenantId: string, filter?: { customerId?: string; type?: string }): Promise<number>;
  close(): Promise<void>;
}

/** Nothing is sent until the first call; run `migrate()` before writing. */
export async function createAnalytics(config: AnalyticsConfig): Promise<Analytics> {
  // Validated before anything is opened: the name is spliced into every statement.
  const db = assertIdentifier(config.database);
  const client = await createClickHouseClient(config);
  let closed = false;

  return {
    client,
    database: db,
    migrate: () => applyMigrations(client, db),
    ping: async () => (await client.ping()).success,

    async insertTransactions(facts) {
      if (facts.length === 0) return;
      // Rows are built (and timestamps validated) before anything is written, so a bad fact fails the
      // whole batch up front. Lines go first: a visible transaction then always has its lines, and a
      // failure in between is repaired by the consumer's redelivery, which deduplicates.
      const transactionRows = facts.map(toTransactionRow);
      const lineRows = facts.flatMap(toTransactionLineRows);
      for (const rows of splitByPartition(lineRows)) {
        await client.insert({ table: `${db}.transaction_lines`, values: rows, format: "JSONEachRow" });
      }
      for (const rows of splitByPartition(transactionRows)) {
        await client.insert({ table: `${db}.transactions`, values: rows, format: "JSONEachRow" });
      }
    },

    async insertEvents(facts) {
      for (const rows of splitByPartition(facts.map(toEventRow))) {
        await client.insert({ table: `${db}.events`, values: rows, format: "JSONEachRow" });
      }
    },

    countTransactions: (tenantId, filter) => countTransactions(client, db, tenantId, filter),
    getTransaction: (tenantId, transactionId) => getTransaction(client, db, tenantId, transactionId),
    countEvents: (tenantId, filter) => countEvents(client, db, tenantId, filter),

    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}
