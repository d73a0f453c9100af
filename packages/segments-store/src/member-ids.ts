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
  /**
   * The entry level of the programme in force at `now`, at which a member without a tier counts (`CompileOptions`).
   * Left out, such a member is in no tier's segment: materialising and previews read it (`evaluationContext`).
   */
  entryTier?: string | null;
}

/**
 * A refresh needs every member's id, so a raw segment's query may return a large tenant's whole membership.
 * Only the result may be larger than an analyst's: the time and memory it may cost ClickHouse stay at the
 * analyst's ceilings, since whoever may save a segment may have it refreshed on their behalf.
 */
const membershipLimits: AnalystSqlLimits = {
  ...defaultAnalystSqlLimits,
  maxResultRows: 5_000_000,
  maxResultBytes: 512 * 1024 ** 2,
};

/**
 * Checks an analyst's segment SQL with the analyst runner's rules (read-only, their tenant's rows of the
 * allowed tables only) and that it returns a `customer_id` column; answers the canonical text.
 */
export async function checkSegmentSql(target: AnalystSqlTarget, tenantId: string, sql: string): Promise<string> {
  const { formatted } = await validateAnalystSql(target.client, sql, defaultAnalystSqlLimits);
  const probe = await runAround(target, tenantId, `SELECT * FROM (\n${formatted}\n) LIMIT 0`, defaultAnalystSqlLimits);
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

/**
 * Runs our statement around an analyst's query that was validated alone, against the analyst's length limit. The
 * statement holds the canonical text that validation answered, which ClickHouse's formatter makes longer than
 * what they wrote, and our wrapper: neither counts against their limit, so a query their console runs is never
 * "too long" here. Every other rule and limit applies as to their own queries.
 */
function runAround(target: AnalystSqlTarget, tenantId: string, statement: string, limits: AnalystSqlLimits) {
  return runAnalystSql(target, tenantId, statement, {
    ...limits,
    maxSqlLength: Math.max(limits.maxSqlLength, statement.length),
  });
}

/** Runs `wrap` around the analyst's query (its canonical single SELECT, validated alone first: `runAround`). */
async function runWrapped(
  target: AnalystSqlTarget,
  tenantId: string,
  sql: string,
  wrap: (distinctIds: string) => string,
  limits: AnalystSqlLimits,
) {
  const { formatted } = await validateAnalystSql(target.client, sql, limits);
  const distinctIds = `SELECT DISTINCT toString(customer_id) AS customer_id FROM (\n${formatted}\n) WHERE customer_id != ''`;
  return runAround(target, tenantId, wrap(distinctIds), limits);
}

async function rawMemberIds(target: AnalystSqlTarget, tenantId: string, sql: string): Promise<string[]> {
  const result = await runWrapped(target, tenantId, sql, (ids) => ids, membershipLimits);
  return result.rows.map((row) => String(row[0]));
}

/**
 * What a preview asks of a raw query, under the analyst's limits: how many distinct ids it returns, and the
 * lowest `lowest` of them, counted and picked in ClickHouse. However many ids the query returns, one row comes
 * back.
 */
export async function countRawMembers(
  target: AnalystSqlTarget,
  tenantId: string,
  sql: string,
  lowest: number,
): Promise<{ returned: number; lowest: string[] }> {
  const pick = Math.max(1, Math.floor(lowest)); // ClickHouse refuses groupArraySorted(0)
  const result = await runWrapped(
    target,
    tenantId,
    sql,
    (ids) => `SELECT count() AS returned, groupArraySorted(${pick})(customer_id) AS lowest FROM (\n${ids}\n)`,
    defaultAnalystSqlLimits,
  );
  const [returned = 0, ids = []] = (result.rows[0] ?? []) as [string | number | undefined, string[] | undefined];
  return { returned: Number(returned), lowest: ids.slice(0, lowest) };
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
  const { sql, params } = compileSegment(source.definition, {
    ...ctx,
    entryTier: ctx.entryTier ?? null,
    database: target.database,
  });
  // Tab-separated text: one id per line, far cheaper to read than JSON for a million rows; our ids hold
  // no tabs, newlines or backslashes, so nothing in them is escaped.
  const result = await target.client.query({ query: sql, query_params: params, format: "TabSeparated" });
  const text = await result.text();
  return text.length ? text.slice(0, text.endsWith("\n") ? -1 : undefined).split("\n") : [];
}
