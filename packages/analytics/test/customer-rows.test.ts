import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FactsTarget, mergeCustomerRows, rekeyCustomerRows, withCustomerKeys } from "../src/index.ts";
import { eventFact, transactionFact, uniqueId } from "./fixtures.ts";

// Re-keying a customer's facts (a merge's move to its survivor, an erasure's pseudonym) looks for copies of them
// that an earlier pass already re-keyed only among the sorting keys of the customers' own facts, not over the whole
// tenant. These hold it to every case where such a copy matters, and to the tenant's other customers' rows.

let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

const factTables = ["transactions", "transaction_lines", "events"] as const;
type FactTable = (typeof factTables)[number];
const keyOf = { transactions: "id", transaction_lines: "concat(transaction_id, '#', line_no)", events: "id" };
const mergeAction = (name: string) => (name === "customers" ? "delete" : "rekey");
/** An erasure's re-key of the tenant's customers to one pseudonym. */
const rekeyTo = (tenantId: string, ids: string[], pseudonym: string) =>
  withCustomerKeys(analytics, new Map(ids.map((id) => [id, pseudonym])), (keys) =>
    rekeyCustomerRows(analytics, tenantId, keys, mergeAction),
  );

interface Held {
  /** Rows stored, without FINAL: a fact stored twice shows here. */
  stored: number;
  /** The facts, once each (FINAL). */
  facts: string[];
}

/** One customer's rows of each fact table. */
async function heldBy(tenantId: string, customerId: string): Promise<Record<FactTable, Held>> {
  const out = {} as Record<FactTable, Held>;
  for (const table of factTables) {
    const from = `${analytics.database}.${table}`;
    const where = "tenant_id = {t:String} AND customer_id = {c:String}";
    const result = await analytics.client.query({
      query: `SELECT (SELECT count() FROM ${from} WHERE ${where}) AS stored,
        (SELECT arraySort(groupArray(${keyOf[table]})) FROM ${from} FINAL WHERE ${where}) AS facts`,
      query_params: { t: tenantId, c: customerId },
      format: "JSONEachRow",
    });
    const [row] = await result.json<{ stored: string; facts: string[] }>();
    out[table] = { stored: Number(row?.stored), facts: row?.facts ?? [] };
  }
  return out;
}

/** Every column of every row of one customer (no FINAL), to show a pass left them exactly as they were. */
async function rowsOf(tenantId: string, customerId: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const table of factTables) {
    const result = await analytics.client.query({
      query: `SELECT * FROM ${analytics.database}.${table} WHERE tenant_id = {t:String} AND customer_id = {c:String}
        ORDER BY ALL`,
      query_params: { t: tenantId, c: customerId },
      format: "JSONEachRow",
    });
    out.push(...(await result.json()));
  }
  return out;
}

const union = (a: Held, b: Held) => [...a.facts, ...b.facts].sort();

/** The analytics target with a hook before each statement it sends (which may throw: a crash there). */
function watched(before: (query: string, params: Record<string, unknown>) => Promise<void>): FactsTarget {
  const client = new Proxy(analytics.client, {
    get(real, prop) {
      const value = Reflect.get(real, prop, real);
      if (typeof value !== "function") return value;
      if (prop !== "query" && prop !== "command") return value.bind(real);
      return async (args: { query: string; query_params?: Record<string, unknown> }) => {
        await before(args.query, args.query_params ?? {});
        return value.call(real, args);
      };
    },
  });
  return { client, database: analytics.database };
}

/**
 * A tenant where `till` (a till's customer) has two sales and an app event in March of `year`, `app` a sale that
 * month, and `other` a sale and an event in each of the year's first `months` (a part per month); another tenant has a
 * sale naming the same till id.
 */
async function tenantWithFacts(year: number, months = 6) {
  const [tenantId, otherTenant] = [uniqueId("tn"), uniqueId("tn")];
  const [till, app, other] = [uniqueId("cus_till"), uniqueId("cus_app"), uniqueId("cus_other")];
  const march = (day: number) => `${year}-03-${String(day).padStart(2, "0")}T12:00:00.000Z`;
  const tillSales = [1, 2].map((d) => transactionFact({ tenantId, customerId: till, occurredAt: march(d) }));
  await analytics.insertTransactions(tillSales);
  await analytics.insertEvents([eventFact({ tenantId, customerId: till, occurredAt: march(3) })]);
  await analytics.insertTransactions([transactionFact({ tenantId, customerId: app, occurredAt: march(4) })]);
  for (let month = 1; month <= months; month++) {
    const occurredAt = `${year}-0${month}-05T09:00:00.000Z`;
    await analytics.insertTransactions([transactionFact({ tenantId, customerId: other, occurredAt })]);
    await analytics.insertEvents([eventFact({ tenantId, customerId: other, occurredAt })]);
  }
  await analytics.insertTransactions([transactionFact({ tenantId: otherTenant, customerId: till })]);
  return { tenantId, otherTenant, till, app, other, tillSales };
}

it("moves each fact once when a move crashed between its copy and its delete, leaving other customers be", async () => {
  const { tenantId, otherTenant, till, app, other, tillSales } = await tenantWithFacts(2025);
  const [tillBefore, appBefore] = [await heldBy(tenantId, till), await heldBy(tenantId, app)];
  const otherRows = await rowsOf(tenantId, other);
  const elsewhere = await rowsOf(otherTenant, till);
  const merge = [{ tenantId, mergedId: till, intoId: app }];

  // Crashes where the transactions' copies under the survivor have landed and the originals' delete is next.
  const crashing = watched(async (query) => {
    if (/^ALTER TABLE \S+\.transactions DELETE/.test(query)) throw new Error("crashed");
  });
  await expect(mergeCustomerRows(crashing, merge)).rejects.toThrow("crashed");
  expect((await heldBy(tenantId, till)).transactions.stored).toBe(2);
  expect((await heldBy(tenantId, app)).transactions.stored).toBe(3);

  await mergeCustomerRows(analytics, merge);
  const moved = await heldBy(tenantId, app);
  for (const table of factTables) {
    expect(moved[table].facts, table).toEqual(union(tillBefore[table], appBefore[table]));
    expect(moved[table].stored, `${table}: no row twice`).toBe(moved[table].facts.length);
  }
  expect(await heldBy(tenantId, till)).toEqual(
    Object.fromEntries(factTables.map((t) => [t, { stored: 0, facts: [] }])),
  );

  // A redelivery of a sale already moved, read after the merge, and the merge's redelivery: the sale stays once.
  await analytics.insertTransactions([tillSales[0]!]);
  await mergeCustomerRows(analytics, merge);
  expect(await heldBy(tenantId, app)).toEqual(moved);
  expect((await heldBy(tenantId, till)).transactions.stored).toBe(0);

  expect(await rowsOf(tenantId, other)).toEqual(otherRows);
  expect(await rowsOf(otherTenant, till)).toEqual(elsewhere);
});

it("drops a late copy of a fact re-keyed to an earlier pseudonym when a later pass uses a fresh one", async () => {
  // An erasure's sweep: the first pseudonym is kept nowhere, so the copy is not under the pass's own target id.
  const { tenantId, till, tillSales } = await tenantWithFacts(2026, 1);
  const [first, second] = [uniqueId("anon"), uniqueId("anon")];
  await rekeyTo(tenantId, [till], first);
  const erased = await heldBy(tenantId, first);
  expect(erased.transactions.facts).toHaveLength(2);

  const late = transactionFact({ tenantId, customerId: till, occurredAt: "2026-03-20T12:00:00.000Z" });
  await analytics.insertTransactions([tillSales[1]!, late]);
  await rekeyTo(tenantId, [till], second);

  expect(await heldBy(tenantId, first)).toEqual(erased);
  const swept = await heldBy(tenantId, second);
  expect(swept.transactions).toEqual({ stored: 1, facts: [late.transactionId] });
  expect(swept.transaction_lines.stored).toBe(late.lines.length);
  expect((await heldBy(tenantId, till)).transactions.stored).toBe(0);
});

it("applies a batch's merges in one pass per tenant, a merged survivor's customers going to its own survivor", async () => {
  const a = await tenantWithFacts(2027, 1);
  const b = await tenantWithFacts(2027, 1);
  // A customer merged into `a.till` in the same batch as `a.till` into `a.app`.
  const chained = uniqueId("cus_till");
  await analytics.insertTransactions([transactionFact({ tenantId: a.tenantId, customerId: chained })]);
  const factsOf = async (tenantId: string, ids: string[]) =>
    (await Promise.all(ids.map((id) => heldBy(tenantId, id)))).flatMap((h) => h.transactions.facts).sort();
  const before = {
    a: await factsOf(a.tenantId, [a.till, a.app, chained]),
    b: await factsOf(b.tenantId, [b.till, b.app]),
  };
  const inserts: string[] = [];
  const target = watched(async (query) => {
    if (/^INSERT INTO \S+\.transactions /.test(query)) inserts.push(query);
  });

  await mergeCustomerRows(target, [
    { tenantId: a.tenantId, mergedId: chained, intoId: a.till },
    { tenantId: b.tenantId, mergedId: b.till, intoId: b.app },
    { tenantId: a.tenantId, mergedId: a.till, intoId: a.app },
  ]);

  expect(inserts).toHaveLength(2);
  expect((await heldBy(a.tenantId, a.app)).transactions).toEqual({ stored: 4, facts: before.a });
  expect((await heldBy(b.tenantId, b.app)).transactions).toEqual({ stored: 3, facts: before.b });
  for (const [tenantId, id] of [
    [a.tenantId, a.till],
    [a.tenantId, chained],
    [b.tenantId, b.till],
  ] as const)
    expect((await heldBy(tenantId, id)).transactions.stored).toBe(0);
  // The till id in another tenant, which a merge in `a` names: still there, in its own tenant.
  expect((await heldBy(a.otherTenant, a.till)).transactions.stored).toBe(1);
});

interface PlanNode {
  "Node Type": string;
  Indexes?: { Type: string; "Initial Parts": number; "Selected Parts": number }[];
  Plans?: PlanNode[];
}
const readsOf = (node: PlanNode): PlanNode[] => [
  ...(node["Node Type"] === "ReadFromMergeTree" ? [node] : []),
  ...(node.Plans ?? []).flatMap(readsOf),
];

/**
 * Parts of the table a query's main read starts from, those its partition (min-max) index keeps, and those it
 * reads after every index (primary key, the id's bloom filter): EXPLAIN's plan.
 */
async function partsRead(query: string, params: Record<string, unknown>) {
  const result = await analytics.client.query({
    query: `EXPLAIN json = 1, indexes = 1 ${query}`,
    query_params: params,
    format: "TabSeparatedRaw",
  });
  const [plan] = JSON.parse(await result.text()) as { Plan: PlanNode }[];
  const [read] = readsOf(plan!.Plan);
  const indexes = read?.Indexes ?? [];
  return {
    parts: indexes[0]?.["Initial Parts"],
    inPartitions: indexes.find((i) => i.Type === "Min-Max")?.["Selected Parts"],
    read: indexes.at(-1)?.["Selected Parts"],
  };
}

it("looks for re-keyed copies in the partitions of the customers' facts only, not over the whole tenant", async () => {
  // chdb keeps no system.query_log, so rows read cannot be measured here: EXPLAIN shows which parts are read.
  const { tenantId, till, app } = await tenantWithFacts(2028);
  const seen: Awaited<ReturnType<typeof partsRead>>[] = [];
  const target = watched(async (query, params) => {
    if (/FROM \S+\.transactions WHERE tenant_id = \{tenant:String\} AND customer_id NOT IN/.test(query))
      seen.push(await partsRead(query, params));
  });
  await mergeCustomerRows(target, [{ tenantId, mergedId: till, intoId: app }]);

  // The tenant's facts span six monthly partitions, the merged customer's one: March, where its, the survivor's
  // and the other customer's sales are (a part each at most). None holds a copy of its facts: no part is read.
  expect(seen).toHaveLength(1);
  const [copies] = seen;
  expect(copies?.parts).toBeGreaterThanOrEqual(6);
  expect(copies?.inPartitions).toBeGreaterThanOrEqual(1);
  expect(copies?.inPartitions).toBeLessThanOrEqual(3);
  expect(copies?.read).toBe(0);
  // What the copies were looked for in before: every fact of the tenant's other customers.
  const whole = await partsRead(
    `SELECT id FROM ${analytics.database}.transactions WHERE tenant_id = {tenant:String} AND customer_id != {c:String}`,
    { tenant: tenantId, c: till },
  );
  expect(whole.read).toBeGreaterThanOrEqual(6);
});
