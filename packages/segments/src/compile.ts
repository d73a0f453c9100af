import { isSegmentGroup, type SegmentDefinition, type SegmentNode } from "@regulars/contracts";
import { type ConditionContext, conditionSql, isWindowed } from "./conditions.ts";
import { Params } from "./params.ts";
import { clickHouseTime } from "./time.ts";

export interface CompileOptions {
  tenantId: string;
  now: Date;
  /** The tenant's IANA time zone: birthdays are days there. */
  timezone: string;
  /** The ClickHouse database holding the facts (an identifier; spliced into table names). */
  database: string;
  /**
   * The entry level of the tenant's programme in force at `now` (`tierOrEntry`), or null without tiers. A member the
   * ledger has not placed has no tier in their snapshot; they count at this level, as earning and checkout count
   * them. Resolved per evaluation, not per snapshot: publishing tiers (or a new entry level) rewrites no snapshot.
   */
  entryTier: string | null;
}

/** A statement and its query parameters, to be sent as `query_params`. */
export interface CompiledSql {
  sql: string;
  params: Record<string, unknown>;
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A fact and its redelivered copy share their sorting key, occurred_at included, so they always sit in the same
 * monthly partition: FINAL need not merge across partitions, and each partition is collapsed on its own.
 */
const settings = "SETTINGS do_not_merge_across_partitions_select_final = 1";

function nodeSql(ctx: ConditionContext, node: SegmentNode): string {
  if (!isSegmentGroup(node)) return conditionSql(ctx, node);
  if ("any" in node) return `(${node.any.map((child) => nodeSql(ctx, child)).join(" OR ")})`;
  // In an AND, the first windowed condition that selects a set (rather than excluding one) bounds every
  // other condition below: its set, the same text and parameters, restricts their fact subqueries (ClickHouse
  // builds a set once per distinct subquery). Correct because a member must be in that set anyway.
  const sqls = new Map<SegmentNode, string>();
  let inner = ctx;
  for (const child of node.all) {
    if (isSegmentGroup(child) || !isWindowed(child)) continue;
    const sql = conditionSql(ctx, child);
    sqls.set(child, sql);
    if (!ctx.restrict && sql.startsWith("customer_id IN (")) {
      inner = { ...ctx, restrict: sql };
      break;
    }
  }
  return `(${node.all.map((child) => sqls.get(child) ?? nodeSql(inner, child)).join(" AND ")})`;
}

/**
 * The members' filter over the tenant's rows of the `customers` dimension table (FINAL: its latest snapshot
 * per customer). That table is the universe: conditions that hold for customers without facts (fewer than N
 * orders, never ordered) can only find those customers there.
 */
function compileWhere(definition: SegmentDefinition, options: CompileOptions) {
  if (!identifier.test(options.database)) throw new Error(`Invalid database name ${JSON.stringify(options.database)}`);
  if (Number.isNaN(options.now.getTime())) throw new Error("compileSegment needs a valid `now`");
  const params = new Params();
  const ctx: ConditionContext = {
    db: options.database,
    params,
    tenant: params.set("tenant", options.tenantId, "String"),
    now: `toDateTime64(${params.set("now", clickHouseTime(options.now), "String")}, 3, 'UTC')`,
    nowDate: options.now,
    timezone: options.timezone,
    entryTier: options.entryTier,
  };
  const from = `${options.database}.customers FINAL`;
  return { from, where: `tenant_id = ${ctx.tenant} AND ${nodeSql(ctx, definition)}`, params };
}

/** The segment's members: one row per customer, a `customer_id` column. */
export function compileSegment(definition: SegmentDefinition, options: CompileOptions): CompiledSql {
  const { from, where, params } = compileWhere(definition, options);
  return { sql: `SELECT customer_id FROM ${from} WHERE ${where} ${settings}`, params: params.values };
}

/**
 * One statement for a live preview: the member count and up to `sampleSize` members (lowest ids first) with
 * what is not personal: tier, which contact fields they have, when they joined. `leaveOut`: customers the count must
 * not hold though ClickHouse still does (erased in Postgres, their ClickHouse part under way).
 */
export function compileSegmentPreview(
  definition: SegmentDefinition,
  options: CompileOptions,
  sampleSize: number,
  leaveOut: string[] = [],
): CompiledSql {
  const compiled = compileWhere(definition, options);
  const { from, params } = compiled;
  const where = leaveOut.length
    ? `${compiled.where} AND customer_id NOT IN ${params.set("leave_out", leaveOut, "Array(String)")}`
    : compiled.where;
  const size = Math.max(0, Math.floor(sampleSize));
  const tuple =
    "tuple(customer_id, tier, has_email, has_phone, has_date_of_birth, toString(coalesce(registered_at, created_at)))";
  // ClickHouse refuses groupArraySorted(0): a count alone asks for no sample at all.
  const sample = size > 0 ? `groupArraySorted(${params.set("sample_size", size, "UInt32")})(${tuple})` : "[]";
  return {
    sql: `SELECT count() AS members, ${sample} AS sample FROM ${from} WHERE ${where} ${settings}`,
    params: params.values,
  };
}
