import { SegmentDefinition, segmentLimits } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { birthdaysWithin, compileSegment, compileSegmentPreview } from "../src/index.ts";

const options = {
  tenantId: "ten_one",
  now: new Date(Date.now() - 3_600_000),
  timezone: "Europe/Warsaw",
  database: "facts",
  entryTier: null,
};

/** Every kind of condition, each carrying the user-chosen strings given. */
function everyCondition(text: string) {
  return SegmentDefinition.parse({
    any: [
      { type: "orders_count", window: "30d", op: "gte", value: 2 },
      { type: "order_value", window: { lastDays: 12 }, op: "gt", value: 1000 },
      { type: "average_ticket", op: "lte", value: 500 },
      { type: "last_order", op: "more_than_days_ago", days: 30 },
      { type: "tag_affinity", tag: text, op: "gte", value: 0.3 },
      { all: [{ type: "bought", by: "sku", values: [text, `${text}2`], window: "lifetime" }] },
      { type: "visited_locations", locationIds: [text], window: "90d" },
      { type: "event_count", source: "behavioural", eventType: text, window: "7d", op: "eq", value: 1 },
      { type: "event_count", source: "loyalty", eventType: text, window: "365d", op: "gte", value: 1 },
      { type: "tier_in", tiers: [text] },
      { type: "consent_granted", channel: "push", purpose: "marketing" },
      { type: "birthday_within", days: 7 },
      { type: "has_field", field: "date_of_birth", present: false },
      { type: "registered_within", days: 14 },
    ],
  });
}

describe("compileSegment", () => {
  it("passes every value as a query parameter: no user string reaches the SQL text", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/\p{Cc}/u.test(s)),
        (raw) => {
          const text = `zz${raw}qq`;
          const { sql, params } = compileSegment(everyCondition(text), options);
          expect(sql.includes(text)).toBe(false);
          expect(JSON.stringify(params)).toContain(JSON.stringify(text).slice(1, -1));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("binds the tenant and the clock as parameters, and names only the given database", () => {
    const { sql, params } = compileSegment(everyCondition("vegetarian"), options);
    expect(sql).not.toContain("ten_one");
    expect(params.tenant).toBe("ten_one");
    expect(params.now).toBe(options.now.toISOString().replace("T", " ").replace("Z", ""));
    // Tables read by name; a subquery in parentheses (a derived table, a join's side) is no table.
    const tables = [...sql.matchAll(/(?:FROM|JOIN) (?!\()(\S+)/g)].map((m) => m[1]);
    expect(new Set(tables)).toEqual(
      new Set([
        "facts.customers",
        "facts.transactions",
        "facts.transaction_lines",
        "facts.events",
        "facts.loyalty_events",
        "facts.voided_transactions",
      ]),
    );
    // Every read of a fact table is limited to the tenant: a join reads only subqueries, each with its own WHERE.
    expect(sql).not.toMatch(/JOIN (?!\()/);
    expect(sql.match(/FROM facts\.\w+( FINAL)? WHERE tenant_id = \{tenant:String\}/g)).toHaveLength(tables.length);
  });

  it("every placeholder has a value and every value a placeholder", () => {
    const { sql, params } = compileSegment(everyCondition("x"), options);
    const used = new Set([...sql.matchAll(/\{(\w+):[^}]+\}/g)].map((m) => m[1]));
    expect(used).toEqual(new Set(Object.keys(params)));
  });

  it("refuses a database name that is not an identifier", () => {
    expect(() => compileSegment(everyCondition("x"), { ...options, database: "a; DROP" })).toThrow(/database/);
  });

  it("counts customers without facts in when zero passes the comparison", () => {
    const lessThan = compileSegment(
      SegmentDefinition.parse({ all: [{ type: "orders_count", window: "30d", op: "lt", value: 2 }] }),
      options,
    );
    expect(lessThan.sql).toContain("customer_id NOT IN (");
    expect(lessThan.sql).toContain("HAVING NOT (uniqExact(id) < {p1:Int64})");
    const atLeast = compileSegment(
      SegmentDefinition.parse({ all: [{ type: "orders_count", window: "30d", op: "gte", value: 2 }] }),
      options,
    );
    expect(atLeast.sql).not.toContain("customer_id NOT IN");
  });

  it("nests groups as parenthesised AND / OR", () => {
    const { sql } = compileSegment(
      SegmentDefinition.parse({
        all: [
          { type: "has_field", field: "email" },
          {
            any: [
              { type: "has_field", field: "phone" },
              { type: "has_field", field: "date_of_birth" },
            ],
          },
        ],
      }),
      options,
    );
    expect(sql).toContain("(has_email AND (has_phone OR has_date_of_birth))");
  });

  it("bounds lifetime aggregates by a windowed condition of the same AND", () => {
    const { sql } = compileSegment(
      SegmentDefinition.parse({
        all: [
          { type: "average_ticket", op: "gte", value: 1_000 },
          { type: "orders_count", window: "30d", op: "gte", value: 2 },
        ],
      }),
      options,
    );
    const orders = /customer_id IN \(SELECT customer_id FROM facts\.transactions WHERE [^)]*\)[^)]*\)/.exec(sql)?.[0];
    expect(orders).toBeDefined();
    // Once as a condition, once inside the average ticket's subquery.
    expect(sql.split(orders!).length - 1).toBe(2);
    expect(sql.indexOf(orders!)).toBeGreaterThan(sql.indexOf("facts.transactions FINAL"));
  });

  it("tests tag affinity on the customer's row: lifetime totals, no fact table read", () => {
    const { sql, params } = compileSegment(
      SegmentDefinition.parse({ all: [{ type: "tag_affinity", tag: "vegetarian", op: "gte", value: 0.3 }] }),
      options,
    );
    expect(sql).toContain(
      "((intDivOrZero(least(tag_quantities[{p0:String}], item_count) * 20000 + item_count, 2 * item_count) / 10000)" +
        " >= {p1:Float64})",
    );
    expect([...sql.matchAll(/FROM (\S+)/g)].map((m) => m[1])).toEqual(["facts.customers"]);
    expect(params).toMatchObject({ p0: "vegetarian", p1: 0.3 });
  });

  it("counts a member without a tier ('') in a tier condition that names the entry level, and only there", () => {
    const tiersIn = (tiers: string[], entryTier: string | null) =>
      compileSegment(SegmentDefinition.parse({ all: [{ type: "tier_in", tiers }] }), { ...options, entryTier });
    const named = tiersIn(["silver", "bronze"], "bronze");
    expect(named.sql).toContain("has({p0:Array(String)}, tier)");
    expect(named.params.p0).toEqual(["silver", "bronze", ""]);
    expect(tiersIn(["silver", "gold"], "bronze").params.p0).toEqual(["silver", "gold"]);
    expect(tiersIn(["bronze"], null).params.p0).toEqual(["bronze"]);
  });

  it("previews with the sample size as a parameter", () => {
    const { sql, params } = compileSegmentPreview(everyCondition("x"), options, 25);
    expect(sql).toContain("groupArraySorted({sample_size:UInt32})");
    expect(params.sample_size).toBe(25);
  });
});

describe("SegmentDefinition", () => {
  const condition = { type: "has_field", field: "email" };
  const nest = (depth: number): unknown => (depth === 1 ? { all: [condition] } : { any: [nest(depth - 1)] });

  it("accepts groups nested up to the limit and refuses deeper ones with a clear message", () => {
    expect(SegmentDefinition.safeParse(nest(segmentLimits.maxDepth)).success).toBe(true);
    const deeper = SegmentDefinition.safeParse(nest(segmentLimits.maxDepth + 1));
    expect(deeper.success).toBe(false);
    expect(deeper.error?.issues[0]?.message).toMatch(/nest 5 deep; at most 4/);
  });

  it("refuses more conditions than the limit", () => {
    const many = { all: Array.from({ length: segmentLimits.maxConditions + 1 }, () => condition) };
    const parsed = SegmentDefinition.safeParse(many);
    expect(parsed.error?.issues[0]?.message).toMatch(/31 conditions; at most 30/);
  });

  it("refuses empty groups, unknown conditions and out-of-range values on the field at fault", () => {
    expect(SegmentDefinition.safeParse({ all: [] }).error?.issues[0]?.path).toEqual(["all"]);
    const bad = SegmentDefinition.safeParse({ all: [{ type: "tag_affinity", tag: "veg", op: "gte", value: 3 }] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain("value");
    expect(SegmentDefinition.safeParse({ all: [{ type: "shoe_size", value: 3 }] }).success).toBe(false);
    expect(SegmentDefinition.safeParse({ all: [condition], extra: 1 }).success).toBe(false);
  });
});

describe("birthdaysWithin", () => {
  it("starts from today in the tenant's time zone", () => {
    // 23:30 UTC on 31 March is already 1 April in Warsaw (UTC+2 in summer time).
    const lateEvening = new Date(Date.UTC(2024, 2, 31, 23, 30));
    expect(birthdaysWithin(lateEvening, "Europe/Warsaw", 1)).toEqual([401, 402]);
    expect(birthdaysWithin(lateEvening, "UTC", 1)).toEqual([331, 401]);
  });

  it("celebrates 29 February on 28 February in other years, and wraps the year", () => {
    expect(birthdaysWithin(new Date(Date.UTC(2023, 1, 27, 12)), "UTC", 1)).toEqual([227, 228, 229]);
    expect(birthdaysWithin(new Date(Date.UTC(2024, 1, 27, 12)), "UTC", 1)).toEqual([227, 228]);
    expect(birthdaysWithin(new Date(Date.UTC(2023, 11, 31, 12)), "UTC", 1)).toEqual([101, 1231]);
  });
});
