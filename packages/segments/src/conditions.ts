import type { ComparisonOp, SegmentCondition, SegmentWindow } from "@regulars/contracts";
import { productsGivenBack } from "./given-back.ts";
import type { Params } from "./params.ts";
import { birthdaysWithin, clickHouseTime, daysBefore, windowDays } from "./time.ts";

/** What every condition's SQL is built against. Table names are the one thing spliced in (checked identifiers). */
export interface ConditionContext {
  db: string;
  params: Params;
  /** Placeholders of the statement-wide parameters. */
  tenant: string;
  now: string;
  nowDate: Date;
  timezone: string;
  /** The level an unplaced member (no tier in their snapshot, '') counts at; null where the programme has none. */
  entryTier: string | null;
  /**
   * A `customer_id IN (…)` set every member must be in anyway (a windowed condition of an enclosing AND),
   * added to the fact subqueries: a lifetime aggregate then groups only those customers' rows, not every
   * customer's history.
   */
  restrict?: string;
}

const sqlOps: Record<ComparisonOp, string> = { gt: ">", gte: ">=", lt: "<", lte: "<=", eq: "=", neq: "!=" };

/** The comparison as TypeScript evaluates it: used to know whether a customer without facts matches. */
export function compare(left: number, op: ComparisonOp, right: number): boolean {
  switch (op) {
    case "gt":
      return left > right;
    case "gte":
      return left >= right;
    case "lt":
      return left < right;
    case "lte":
      return left <= right;
    case "eq":
      return left === right;
    case "neq":
      return left !== right;
  }
}

const at = (ctx: ConditionContext, instant: Date) =>
  `toDateTime64(${ctx.params.add(clickHouseTime(instant), "String")}, 3, 'UTC')`;

function windowSql(ctx: ConditionContext, window: SegmentWindow): string {
  const days = windowDays(window);
  const upTo = `occurred_at <= ${ctx.now}`;
  return days === null ? upTo : `occurred_at > ${at(ctx, daysBefore(ctx.nowDate, days))} AND ${upTo}`;
}

interface Aggregate {
  table: "transactions" | "transaction_lines" | "events" | "loyalty_events";
  /**
   * FINAL only where duplicates would change the figure (sums). Counts use uniqExact(id) and maxima are
   * unchanged by a duplicate, so those read the parts as they are: FINAL costs a merge of every part at read.
   */
  final: boolean;
  filters: string[];
  figure: string;
  op: ComparisonOp;
  value: number;
  valueType: "Int64" | "Float64";
}

/**
 * A per-customer figure compared with a value. The figure of a customer without any fact is 0; when 0
 * passes the comparison, the customers who fail it are excluded instead of the passing ones selected,
 * so the customers without facts are counted in (`orders_count lt 2` includes those who never ordered).
 */
function aggregateCondition(ctx: ConditionContext, a: Aggregate): string {
  const value = ctx.params.add(a.value, a.valueType);
  const zeroPasses = compare(0, a.op, a.value);
  const test = `${a.figure} ${sqlOps[a.op]} ${value}`;
  const rows = rowsOf(ctx, a.table, a.final, a.filters);
  return zeroPasses
    ? `customer_id NOT IN (${rows} GROUP BY customer_id HAVING NOT (${test}))`
    : `customer_id IN (${rows} GROUP BY customer_id HAVING ${test})`;
}

function rowsOf(ctx: ConditionContext, table: Aggregate["table"], final: boolean, filters: string[]): string {
  const where = [
    `tenant_id = ${ctx.tenant}`,
    "customer_id != ''",
    ...filters,
    ...(ctx.restrict ? [ctx.restrict] : []),
  ].join(" AND ");
  return `SELECT customer_id FROM ${ctx.db}.${table}${final ? " FINAL" : ""} WHERE ${where}`;
}

const sales = "type = 'sale'";
const netValue = "sumIf(total, type = 'sale') - sumIf(total, type = 'refund')";

/**
 * Leaves out the sales their refunds voided and those refunds (`voided_transactions`, analytics migration 0008): no
 * order, and no value, as the profile counts them. A set of ids, which a duplicate row cannot change: no FINAL.
 */
const notVoided = (ctx: ConditionContext, column = "id") =>
  `${column} NOT IN (SELECT transaction_id FROM ${ctx.db}.voided_transactions WHERE tenant_id = ${ctx.tenant})`;

/** One condition as a boolean SQL expression over a row of the `customers` dimension table. */
export function conditionSql(ctx: ConditionContext, c: SegmentCondition): string {
  const p = ctx.params;
  switch (c.type) {
    case "orders_count":
      return aggregateCondition(ctx, {
        table: "transactions",
        final: false,
        filters: [sales, windowSql(ctx, c.window), notVoided(ctx)],
        figure: "uniqExact(id)",
        op: c.op,
        value: c.value,
        valueType: "Int64",
      });
    case "order_value":
      return aggregateCondition(ctx, {
        table: "transactions",
        final: true,
        filters: [windowSql(ctx, c.window), notVoided(ctx)],
        figure: netValue,
        op: c.op,
        value: c.value,
        valueType: "Int64",
      });
    case "average_ticket":
      return aggregateCondition(ctx, {
        table: "transactions",
        final: true,
        filters: [windowSql(ctx, "lifetime"), notVoided(ctx)],
        figure: `if(countIf(type = 'sale') = 0, 0, toInt64(floor((${netValue}) / countIf(type = 'sale'))))`,
        op: c.op,
        value: c.value,
        valueType: "Int64",
      });
    case "last_order": {
      const since = at(ctx, daysBefore(ctx.nowDate, c.days));
      const recent = rowsOf(ctx, "transactions", false, [
        sales,
        `occurred_at > ${since}`,
        `occurred_at <= ${ctx.now}`,
        notVoided(ctx),
      ]);
      if (c.op === "less_than_days_ago") return `customer_id IN (${recent})`;
      if (c.includeNeverOrdered) return `customer_id NOT IN (${recent})`;
      const all = rowsOf(ctx, "transactions", false, [sales, `occurred_at <= ${ctx.now}`, notVoided(ctx)]);
      return `customer_id IN (${all} GROUP BY customer_id HAVING max(occurred_at) <= ${since})`;
    }
    case "tag_affinity": {
      // A test on the customer's row: it carries their lifetime sale totals (analytics migration 0005), kept
      // from the profile facts by every snapshot. Summing the transactions instead read most of the facts
      // table, the one condition that kept a preview at a million customers above a second.
      // The profile's share (`affinityShare` in @regulars/profiles): tagged / items rounded half up to 4 decimals,
      // in integers. ClickHouse's round() rounds a tie to even (1/32 gave 0.0312 where the profile shows 0.0313),
      // and rounding the float quotient misses ties it cannot represent (57/800). No items: 0.
      const tagged = `least(tag_quantities[${p.add(c.tag, "String")}], item_count)`;
      const share = `(intDivOrZero(${tagged} * 20000 + item_count, 2 * item_count) / 10000)`;
      return `${share} ${sqlOps[c.op]} ${p.add(c.value, "Float64")}`;
    }
    case "bought": {
      const values = p.add(c.values, "Array(String)");
      const match =
        c.by === "tag"
          ? `hasAny(tags, ${values})`
          : c.by === "sku"
            ? `has(${values}, sku)`
            : `has(${values}, category)`;
      // Existence only: a duplicate line cannot change it, so no FINAL. What a refund took back was not bought: not a
      // voided sale's lines, nor a product whose money the sale's refunds gave back in full.
      const kept = [notVoided(ctx, "transaction_id"), `(transaction_id, sku) NOT IN (${productsGivenBack(ctx)})`];
      return `customer_id IN (${rowsOf(ctx, "transaction_lines", false, [sales, windowSql(ctx, c.window), match, ...kept])})`;
    }
    case "visited_locations":
      return aggregateCondition(ctx, {
        table: "transactions",
        final: false,
        filters: [
          sales,
          windowSql(ctx, c.window),
          `has(${p.add(c.locationIds, "Array(String)")}, location_id)`,
          notVoided(ctx),
        ],
        figure: "uniqExact(id)",
        op: c.op,
        value: c.value,
        valueType: "Int64",
      });
    case "event_count":
      return aggregateCondition(ctx, {
        table: c.source === "behavioural" ? "events" : "loyalty_events",
        final: false,
        filters: [`type = ${p.add(c.eventType, "String")}`, windowSql(ctx, c.window)],
        figure: "uniqExact(id)",
        op: c.op,
        value: c.value,
        valueType: "Int64",
      });
    case "tier_in": {
      const unplacedToo = ctx.entryTier !== null && c.tiers.includes(ctx.entryTier);
      return `has(${p.add(unplacedToo ? [...c.tiers, ""] : c.tiers, "Array(String)")}, tier)`;
    }
    case "consent_granted":
      return `has(consents, ${p.add(`${c.channel}:${c.purpose}`, "String")})`;
    case "birthday_within": {
      const keys = p.add(birthdaysWithin(ctx.nowDate, ctx.timezone, c.days), "Array(UInt16)");
      return `(birth_month > 0 AND has(${keys}, toUInt16(birth_month) * 100 + birth_day))`;
    }
    case "has_field": {
      const column = c.field === "email" ? "has_email" : c.field === "phone" ? "has_phone" : "has_date_of_birth";
      return c.present ? column : `NOT ${column}`;
    }
    case "registered_within": {
      const joined = "coalesce(registered_at, created_at)";
      return `(${joined} > ${at(ctx, daysBefore(ctx.nowDate, c.days))} AND ${joined} <= ${ctx.now})`;
    }
  }
}

/** Conditions that read only a window of recent facts: cheap, and usually selective. */
export function isWindowed(c: SegmentCondition): boolean {
  switch (c.type) {
    case "orders_count":
    case "order_value":
    case "visited_locations":
    case "event_count":
    case "bought":
      return c.window !== "lifetime";
    case "last_order":
      return c.op === "less_than_days_ago";
    default:
      return false;
  }
}
