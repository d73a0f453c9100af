import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AnalystSqlRefused, type Analytics, defaultAnalystSqlLimits, validateAnalystSql } from "../src/index.ts";
import { analystRunner, seedTwoTenants } from "./analyst-sql.fixtures.ts";

// Parts of a query that EXPLAIN AST prints without their content (`* APPLY(f)`) never reach the parse-tree
// rules; the query-tree check would stop them, but EXPLAIN QUERY TREE has already evaluated scalar
// subqueries by then, and its failure used to reach the analyst with the computed value in the message.

let analytics: Analytics & { dispose(): Promise<void> };
let sql: ReturnType<typeof analystRunner>;
let folder: string;
let secretFile: string;
/** What the file holds: no refusal may carry it. */
const secret = `file_secret_${randomBytes(6).toString("hex")}`;

beforeAll(async () => {
  analytics = await testAnalytics();
  await seedTwoTenants(analytics);
  sql = analystRunner(analytics);
  folder = await mkdtemp(join(tmpdir(), "analyst-sql-hidden-"));
  secretFile = join(folder, "secret.txt");
  await writeFile(secretFile, secret);
});
afterAll(async () => {
  await analytics?.dispose();
  if (folder) await rm(folder, { recursive: true, force: true });
});

const applyReads = (path: string) => [
  `SELECT 1 WHERE (SELECT * APPLY(file) APPLY(toUInt64) FROM (SELECT '${path}' AS p)) = 0`,
  `SELECT 1 WHERE (SELECT * APPLY(x -> file(x)) APPLY(toUInt64) FROM (SELECT '${path}' AS p)) = 0`,
  `SELECT 1 WHERE (SELECT COLUMNS('p') APPLY(file) APPLY(toUInt64) FROM (SELECT '${path}' AS p)) = 0`,
  `SELECT 1 WHERE (SELECT t.* APPLY(file) APPLY(toUInt64) FROM (SELECT '${path}' AS p) AS t) = 0`,
  `SELECT * APPLY(file) FROM (SELECT '${path}' AS p)`,
  "SELECT * APPLY(sum) FROM (SELECT total FROM transactions)",
];

describe("nodes the parse tree prints without their content", () => {
  it("refuses APPLY in every form, and the file's content never reaches the analyst", async () => {
    for (const query of applyReads(secretFile)) {
      const e = await sql.expectRefused(query, "unsupported_syntax");
      expect(e.message, query).toMatch(/APPLY/);
      expect(e.message, query).not.toContain(secret);
    }
  });

  it("refuses EXCEPT with a pattern (nothing of it is printed) and keeps EXCEPT with names", async () => {
    await sql.expectRefused("SELECT * EXCEPT ('^id$') FROM transactions", "unsupported_syntax");
    await sql.expectRefused("SELECT t.COLUMNS('id') EXCEPT ('x') FROM transactions AS t", "unsupported_syntax");
    const rows = await sql.rowsOf(
      "SELECT * EXCEPT (occurred_at) REPLACE (upper(id) AS id) FROM transactions ORDER BY id",
    );
    expect(rows.map((row) => row.id)).toEqual(["TX_A1", "TX_A2", "TX_A3"]);
  });

  it("validates alone (segment SQL) with the same refusal", async () => {
    const query = applyReads(secretFile)[0]!;
    const e = await validateAnalystSql(analytics.client, query, defaultAnalystSqlLimits).catch((error) => error);
    expect(e).toBeInstanceOf(AnalystSqlRefused);
    expect((e as AnalystSqlRefused).rule).toBe("unsupported_syntax");
    expect(String(e.message)).not.toContain(secret);
  });
});

describe("failures while the query is checked", () => {
  it("name no value the analyzer computed, only the exception type", async () => {
    // Constant folding happens in EXPLAIN QUERY TREE: the failure to parse the string quotes it.
    const computed = "computed_value_42";
    const e = await sql.expectRefused(
      `SELECT 1 WHERE (SELECT toUInt64(concat('computed_', 'value_42'))) = 0`,
      "query_error",
    );
    expect(e.message).not.toContain(computed);
    expect(e.message).toMatch(/CANNOT_PARSE_TEXT/);
  });

  it("with a scalar subquery over the tenant's rows as well", async () => {
    const e = await sql.expectRefused(
      "SELECT 1 WHERE (SELECT toUInt64(min(customer_id)) FROM transactions) = 0",
      "query_error",
    );
    expect(e.message).not.toMatch(/cus_anna/);
  });

  it("still names an unknown column and an unknown table the analyst wrote", async () => {
    const column = await sql.expectRefused("SELECT nope_column FROM transactions", "query_error");
    expect(column.message).toMatch(/nope_column/);
    const table = await sql.expectRefused("SELECT * FROM nope_table", "unknown_table");
    expect(table.message).toMatch(/nope_table/);
  });

  it("keeps the parser's syntax message, which quotes only the analyst's text", async () => {
    const e = await sql.expectRefused("SELECT FROM WHERE", "syntax");
    expect(e.message).toMatch(/Syntax error/i);
  });
});
