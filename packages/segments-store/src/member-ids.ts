import {
  type AnalystSqlLimits,
  type AnalystSqlTarget,
  defaultAnalystSqlLimits,
  runAnalystSql,
  validateAnalystSql,
} from "@regulars/analytics";
import type { SegmentDefinition } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { compileSegment } from "@regulars/segments";

/** What a segment is made of: a definition, or an analyst's read-only SQL returning `customer_id`. */
export type SegmentSource = { kind: "definition"; definition: SegmentDefinition } | { kind: "sql"; sql: string };

export interface EvaluationContext {
  tenantId: string;
  timezone: string;
  now: Date;
}

/**
 * A raw segment's query may return every customer of a large tenant: the analyst runner's limits, with room
 * for the whole membership in the result and the time a refresh may take.
 */
const membershipLimits: AnalystSqlLimits = {
  ...defaultAnalystSqlLimits,
  maxExecutionSeconds: 60,
  maxResultRows: 5_000_000,
  maxResultBytes: 512 * 1024 ** 2,
  maxMemoryBytes: 4 * 1024 ** 3,
};

/**
 * Checks an analyst's segment SQL with the analyst runner's rules (read-only, their tenant's rows of the
 * allowed tables only) and that it returns a `customer_id` column; answers the canonical text.
 */
export async function checkSegmentSql(target: AnalystSqlTarget, tenantId: string, sql: string): Promise<string> {
  const { formatted } = await validateAnalystSql(target.client, sql, defaultAnalystSqlLimits);
  const probe = await runAnalystSql(target, tenantId, `SELECT * FROM (\n${formatted}\n) LIMIT 0`);
  if (!probe.columns.some((column) => column.name === "customer_id")) {
    throw new DomainError("invalid_request", "a segment's SQL must return a customer_id column", [
      {
        path: "sql",
        message: `must return a customer_id column; it returns ${probe.columns.map((c) => c.name).join(", ")}`,
      },
    ]);
  }
  return formatted;
}

async function rawMemberIds(target: AnalystSqlTarget, tenantId: string, sql: string): Promise<string[]> {
  // The analyst's text is validated alone first: the canonical single SELECT that comes back is what we wrap.
  const { formatted } = await validateAnalystSql(target.client, sql, membershipLimits);
  const wrapped = `SELECT DISTINCT toString(customer_id) AS customer_id FROM (\n${formatted}\n) WHERE customer_id != ''`;
  const result = await runAnalystSql(target, tenantId, wrapped, membershipLimits);
  return result.rows.map((row) => String(row[0]));
}

/**
 * The segment's members as ClickHouse sees them now. A raw query may name any id (a literal, another
 * tenant's): the store keeps only the tenant's own customers when it writes members (materialise.ts).
 */
export async function evaluateSegment(
  target: AnalystSqlTarget,
  source: SegmentSource,
  ctx: EvaluationContext,
): Promise<string[]> {
  if (source.kind === "sql") return rawMemberIds(target, ctx.tenantId, source.sql);
  const { sql, params } = compileSegment(source.definition, { ...ctx, database: target.database });
  // Tab-separated text: one id per line, far cheaper to read than JSON for a million rows; our ids hold
  // no tabs, newlines or backslashes, so nothing in them is escaped.
  const result = await target.client.query({ query: sql, query_params: params, format: "TabSeparated" });
  const text = await result.text();
  return text.length ? text.slice(0, text.endsWith("\n") ? -1 : undefined).split("\n") : [];
}
