import type { ClickHouseClient } from "@clickhouse/client";
import { fromClickHouseDateTime } from "./time.ts";

// Every read uses FINAL: duplicates from redelivered batches sit in separate parts until a background
// merge collapses them, which may be never for a quiet partition. Values travel only as query_params;
// the database name is the one identifier spliced in, and it was validated by assertIdentifier.

export interface TransactionSummary {
  transactionId: string;
  customerId: string | null;
  occurredAt: string; // ISO 8601 in UTC (`Z`)
  total: number;
  points: number;
  lineCount: number;
  lines: { sku: string; quantity: number; amount: number; tags: string[] }[];
}

async function selectRows<T>(client: ClickHouseClient, query: string, params: Record<string, string>): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: "JSONEachRow" });
  return result.json<T>();
}

/** Optional filters become fixed SQL fragments; only their values vary, and those are bound. */
function whereClause(conditions: Record<string, { column: string; value: string | undefined }>) {
  const sql = ["tenant_id = {tenant:String}"];
  const params: Record<string, string> = {};
  for (const [param, { column, value }] of Object.entries(conditions)) {
    if (value === undefined) continue;
    sql.push(`${column} = {${param}:String}`);
    params[param] = value;
  }
  return { sql: sql.join(" AND "), params };
}

async function countRows(
  client: ClickHouseClient,
  table: string,
  tenantId: string,
  conditions: Record<string, { column: string; value: string | undefined }>,
): Promise<number> {
  const where = whereClause(conditions);
  const rows = await selectRows<{ n: string }>(client, `SELECT count() AS n FROM ${table} FINAL WHERE ${where.sql}`, {
    ...where.params,
    tenant: tenantId,
  });
  return Number(rows[0]?.n ?? 0);
}

export function countTransactions(
  client: ClickHouseClient,
  db: string,
  tenantId: string,
  filter: { customerId?: string } = {},
): Promise<number> {
  return countRows(client, `${db}.transactions`, tenantId, {
    customer: { column: "customer_id", value: filter.customerId },
  });
}

export function countEvents(
  client: ClickHouseClient,
  db: string,
  tenantId: string,
  filter: { customerId?: string; type?: string } = {},
): Promise<number> {
  return countRows(client, `${db}.events`, tenantId, {
    customer: { column: "customer_id", value: filter.customerId },
    type: { column: "type", value: filter.type },
  });
}

interface TransactionRow {
  id: string;
  customer_id: string;
  occurred_at: string;
  total: string;
  points: string;
  line_count: number;
}
interface LineRow {
  sku: string;
  quantity: string;
  amount: string;
  tags: string[];
}

export async function getTransaction(
  client: ClickHouseClient,
  db: string,
  tenantId: string,
  transactionId: string,
): Promise<TransactionSummary | null> {
  const params = { tenant: tenantId, id: transactionId };
  const [header] = await selectRows<TransactionRow>(
    client,
    `SELECT id, customer_id, occurred_at, total, points, line_count
       FROM ${db}.transactions FINAL
      WHERE tenant_id = {tenant:String} AND id = {id:String}
      LIMIT 1`,
    params,
  );
  if (!header) return null;
  const lines = await selectRows<LineRow>(
    client,
    `SELECT sku, quantity, amount, tags
       FROM ${db}.transaction_lines FINAL
      WHERE tenant_id = {tenant:String} AND transaction_id = {id:String}
      ORDER BY line_no`,
    params,
  );
  return {
    transactionId: header.id,
    customerId: header.customer_id === "" ? null : header.customer_id,
    occurredAt: fromClickHouseDateTime(header.occurred_at),
    total: Number(header.total),
    points: Number(header.points),
    lineCount: Number(header.line_count),
    lines: lines.map((line) => ({
      sku: line.sku,
      quantity: Number(line.quantity),
      amount: Number(line.amount),
      tags: line.tags,
    })),
  };
}
