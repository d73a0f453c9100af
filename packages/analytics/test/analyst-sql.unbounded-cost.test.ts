import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, defaultAnalystSqlLimits, validateAnalystSql } from "../src/index.ts";
import { analystRunner, seedTwoTenants } from "./analyst-sql.fixtures.ts";

// Functions whose work on a single row has no bound: ClickHouse checks the time limit only between blocks,
// so one such call holds chdb, and every tenant's analytics behind it, for minutes. Each is refused before
// anything runs, both in a query run alone and in a raw segment's SQL, which is checked alone when saved.

let analytics: Analytics & { dispose(): Promise<void> };
let sql: ReturnType<typeof analystRunner>;

beforeAll(async () => {
  analytics = await testAnalytics();
  await seedTwoTenants(analytics);
  sql = analystRunner(analytics);
});
afterAll(async () => {
  await analytics?.dispose();
});

/** Checked the way a raw segment's SQL is when it is saved: alone, without running it. */
const checkedAsSegmentSql = (query: string) =>
  validateAnalystSql(analytics.client, query, { maxSqlLength: defaultAnalystSqlLimits.maxSqlLength });

/** One call of each function whose cost on a single row grows with the product of its inputs' lengths. */
const unboundedCost: [name: string, call: string][] = [
  ["editDistance", "editDistance(sku, name)"],
  ["editDistanceUTF8", "editDistanceUTF8(sku, name)"],
  ["levenshteinDistance", "levenshteinDistance(sku, name)"],
  ["levenshteinDistanceUTF8", "levenshteinDistanceUTF8(sku, name)"],
  ["damerauLevenshteinDistance", "damerauLevenshteinDistance(sku, name)"],
  ["jaroSimilarity", "jaroSimilarity(sku, name)"],
  ["jaroWinklerSimilarity", "jaroWinklerSimilarity(sku, name)"],
  ["arrayLevenshteinDistance", "arrayLevenshteinDistance(tags, ['coffee'])"],
  ["arrayLevenshteinDistanceWeighted", "arrayLevenshteinDistanceWeighted(tags, ['coffee'], [1.0], [1.0])"],
  ["arraySimilarity", "arraySimilarity(tags, ['coffee'], [1.0], [1.0])"],
  ["multiFuzzyMatchAny", "multiFuzzyMatchAny(sku, 1, ['COFFEE'])"],
  ["multiFuzzyMatchAnyIndex", "multiFuzzyMatchAnyIndex(sku, 1, ['COFFEE'])"],
  ["multiFuzzyMatchAllIndices", "multiFuzzyMatchAllIndices(sku, 1, ['COFFEE'])"],
  [
    "polygonsDistanceCartesian",
    "polygonsDistanceCartesian([[[(0., 0.), (0., 1.), (1., 0.)]]], [[[(2., 2.), (2., 3.), (3., 2.)]]])",
  ],
  [
    "polygonsDistanceSpherical",
    "polygonsDistanceSpherical([[[(0., 0.), (0., 1.), (1., 0.)]]], [[[(2., 2.), (2., 3.), (3., 2.)]]])",
  ],
];

const writtenArray = (length: number) => `[${Array.from({ length }, (_, i) => `'t${i}'`).join(", ")}]`;

/**
 * hasAny and hasAll compare every element of one side with every element of the other: refused unless one
 * side is an array written out in the query, of at most 1,000 elements.
 */
const pairwiseArrays: [what: string, name: string, query: string][] = [
  [
    "two computed arrays (38 s against a 10 s limit)",
    "hasAny",
    "SELECT hasAny(range(200000 + count()), range(300000, 500000)) AS v FROM transactions",
  ],
  [
    "two constant arrays, folded while the query is checked",
    "hasAll",
    "SELECT hasAll(range(100000), range(100000)) AS v",
  ],
  [
    "a column against a computed array",
    "hasAny",
    "SELECT count() FROM transaction_lines WHERE hasAny(tags, arrayMap(x -> toString(x), range(100000)))",
  ],
  ["a written array of 1,001 elements", "hasAny", `SELECT hasAny(tags, ${writtenArray(1001)}) FROM transaction_lines`],
  [
    "array(...) of 1,001 elements",
    "hasAll",
    `SELECT hasAll(tags, [sku, ${writtenArray(1000).slice(1)}) FROM transaction_lines`,
  ],
  ["an alias of a written array", "hasAny", "WITH ['vegan'] AS v SELECT hasAny(tags, v) FROM transaction_lines"],
  [
    "inside a lambda",
    "hasAny",
    "SELECT arrayMap(t -> hasAny(t, range(100000)), [range(100000)]) AS v FROM transaction_lines",
  ],
];

describe("functions whose cost on one row has no bound", () => {
  it.each(unboundedCost)("refuses %s, saying why", async (name, call) => {
    const e = await sql.expectRefused(`SELECT ${call} AS v FROM transaction_lines`, "function");
    expect(e.code).toBe("invalid_request");
    expect(e.message).toBe(
      `the query was refused by rule function: ${name}() is not available: its cost grows with the product of ` +
        "its inputs' lengths, past the time limit",
    );
  });

  it("refuses them in any spelling, in an aggregate, a lambda or a subquery", async () => {
    await sql.expectRefused("SELECT max(EDITDISTANCE(sku, name)) FROM transaction_lines", "function");
    await sql.expectRefused("SELECT arrayMap(t -> jaroSimilarity(t, sku), tags) FROM transaction_lines", "function");
    await sql.expectRefused(
      "SELECT count() FROM transactions WHERE id IN (SELECT id FROM transactions WHERE levenshteinDistance(id, 'x') < 3)",
      "function",
    );
  });

  it("refuses the query that held the engine for minutes, run or checked alone as a segment's SQL", async () => {
    const longValues = (select: string) =>
      `SELECT ${select}, max(editDistance(substring(repeat(concat(id, toString(k)), 20000), 1, 60000),
         substring(repeat(external_id, 20000), 1, 60000))) AS d FROM transactions ARRAY JOIN range(8) AS k`;
    // A raw segment is checked alone and then run at every refresh.
    const checked = checkedAsSegmentSql(`${longValues("customer_id")} GROUP BY customer_id`);
    await expect(checked).rejects.toMatchObject({ rule: "function" });
    await sql.expectRefused(longValues("count() AS n"), "function");
  });

  it("still runs the similarity functions whose cost is linear in their inputs", async () => {
    const rows = await sql.rowsOf(
      `SELECT stringJaccardIndex('coffee', 'toffee') AS jaccard, ngramDistance('coffee', 'coffee') AS ngrams,
         byteHammingDistance('abc', 'abd') AS hamming, arrayJaccardIndex([1, 2], [2, 3]) AS arrays`,
    );
    expect(rows).toEqual([{ jaccard: 0.6, ngrams: 0, hamming: "1", arrays: 1 / 3 }]);
  });
});

describe("hasAny and hasAll need one side written out in the query", () => {
  it.each(pairwiseArrays)("refuses %s, checked alone as a segment's SQL and run", async (_what, name, query) => {
    const message =
      `${name}() compares every element of one array with every element of the other, past the time limit: ` +
      `write one side out as an array of at most 1000 elements, e.g. ${name}(tags, ['vegan'])`;
    // Checked first: the check must refuse before anything is evaluated, constants included.
    await expect(checkedAsSegmentSql(query)).rejects.toMatchObject({ rule: "function" });
    const e = await sql.expectRefused(query, "function");
    expect(e.message).toBe(`the query was refused by rule function: ${message}`);
  });

  it("runs them on a tag list, written on either side, as a literal or with expressions", async () => {
    const count = (where: string) =>
      sql.rowsOf(`SELECT count() AS n FROM transaction_lines WHERE ${where}`).then((rows) => rows[0]?.n);
    expect(await count("hasAny(tags, ['coffee'])")).toBe("2");
    expect(await count("hasAll(tags, ['coffee', 'bakery'])")).toBe("0");
    expect(await count("hasAny(['lunch', 'bakery'], tags)")).toBe("2");
    expect(await count("hasAny(tags, [lower(sku), 'lunch'])")).toBe("1");
    expect(await count(`hasAny(tags, ${writtenArray(1000).replace("'t0'", "'coffee'")})`)).toBe("2");
    await expect(
      checkedAsSegmentSql("SELECT customer_id FROM transaction_lines WHERE hasAny(tags, ['coffee'])"),
    ).resolves.toMatchObject({ tables: new Set(["transaction_lines"]) });
  });
});
