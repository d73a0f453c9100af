import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnalystSqlRule, type Analytics, defaultAnalystSqlLimits } from "../src/index.ts";
import { analystRunner, currentDatabaseTable, seedTwoTenants, tenantA } from "./analyst-sql.fixtures.ts";

// Every way out we could think of, each refused with the rule that names it. A refusal must not carry
// anything of tenant B either (the runner checks every message for "beta").

let analytics: Analytics & { dispose(): Promise<void> };
let sql: ReturnType<typeof analystRunner>;
let db: string;

beforeAll(async () => {
  analytics = await testAnalytics();
  db = analytics.database;
  await seedTwoTenants(analytics);
  sql = analystRunner(analytics);
});
afterAll(async () => {
  await analytics?.dispose();
});

type Attack = [what: string, query: (db: string) => string, rule: AnalystSqlRule | AnalystSqlRule[]];

const attacks: Record<string, Attack[]> = {
  "other tenants and other tables through subqueries, joins and CTEs": [
    ["subquery on the raw table", (d) => `SELECT count() FROM (SELECT * FROM ${d}.transactions)`, "qualified_table"],
    [
      "join with the raw table",
      (d) => `SELECT * FROM transactions AS t JOIN ${d}.transactions AS u ON 1`,
      "qualified_table",
    ],
    [
      "CTE over the raw table",
      (d) => `WITH everyone AS (SELECT * FROM ${d}.events) SELECT * FROM everyone`,
      "qualified_table",
    ],
    ["IN subquery on the raw table", (d) => `SELECT 1 WHERE 1 IN (SELECT 1 FROM ${d}.transactions)`, "qualified_table"],
    ["the migrations table, unqualified", () => "SELECT * FROM schema_migrations", "unknown_table"],
    ["a table of the current database", () => `SELECT * FROM ${currentDatabaseTable}`, "unknown_table"],
    ["the same in a scalar subquery", () => `SELECT (SELECT v FROM ${currentDatabaseTable}) AS v`, "unknown_table"],
    [
      "a CTE name used where the CTE is out of scope",
      () =>
        `SELECT * FROM (WITH ${currentDatabaseTable} AS (SELECT 'mine' AS v) SELECT 'x' AS v)
         UNION ALL SELECT v FROM ${currentDatabaseTable}`,
      "unknown_table",
    ],
    [
      "UNION with a system table",
      () => "SELECT id FROM transactions UNION ALL SELECT name FROM system.tables",
      "qualified_table",
    ],
    ["IN followed by a table name", () => "SELECT count() FROM events WHERE id IN system.tables", "in_table"],
    ["IN followed by an allowed table name", () => "SELECT count() FROM events WHERE id IN transactions", "in_table"],
    ["EXISTS on a system table", () => "SELECT 1 WHERE EXISTS (SELECT 1 FROM system.users)", "qualified_table"],
  ],
  "other tables through CROSS JOIN, comma joins and ARRAY JOIN": [
    ["CROSS JOIN a system table", () => "SELECT * FROM transactions CROSS JOIN system.tables", "qualified_table"],
    ["a comma join with a system table", () => "SELECT * FROM transactions AS t, system.users AS u", "qualified_table"],
    [
      "CROSS JOIN a subquery over a system table",
      () => "SELECT count() FROM transactions AS t CROSS JOIN (SELECT name FROM system.tables) AS s",
      "qualified_table",
    ],
    [
      "CROSS JOIN the raw table",
      (d) => `SELECT * FROM transactions AS t CROSS JOIN ${d}.transactions AS u`,
      "qualified_table",
    ],
    [
      "a comma join with another database's table",
      () => `SELECT * FROM transactions AS t, default.${currentDatabaseTable} AS s`,
      "qualified_table",
    ],
    [
      "a comma join with the current database's table",
      () => `SELECT * FROM events, ${currentDatabaseTable}`,
      "unknown_table",
    ],
    ["CROSS JOIN numbers()", () => "SELECT count() FROM transactions CROSS JOIN numbers(1e12) AS n", "table_function"],
    [
      "CROSS JOIN url()",
      () => "SELECT * FROM transactions CROSS JOIN url('http://127.0.0.1:9/x', 'CSV', 'a String') AS u",
      "table_function",
    ],
    [
      "a comma join with file()",
      () => "SELECT * FROM transactions AS t, file('/etc/passwd', 'LineAsString') AS f",
      "table_function",
    ],
    [
      "ARRAY JOIN over a system table",
      () => "SELECT n FROM transactions ARRAY JOIN (SELECT groupArray(name) FROM system.tables) AS n",
      "qualified_table",
    ],
    [
      "LEFT ARRAY JOIN over another database's table",
      () => `SELECT v FROM events LEFT ARRAY JOIN (SELECT groupArray(v) FROM default.${currentDatabaseTable}) AS v`,
      "qualified_table",
    ],
    [
      "ARRAY JOIN over the current database's table",
      () => `SELECT v FROM events ARRAY JOIN (SELECT groupArray(v) FROM ${currentDatabaseTable}) AS v`,
      "unknown_table",
    ],
    [
      "ARRAY JOIN over numbers()",
      () => "SELECT n FROM events ARRAY JOIN (SELECT groupArray(number) FROM numbers(1e12)) AS n",
      "table_function",
    ],
    ["ARRAY JOIN over file()", () => "SELECT x FROM events ARRAY JOIN [file('/etc/passwd')] AS x", "function"],
    ["ARRAY JOIN a system table's column", () => "SELECT * FROM system.tables ARRAY JOIN [1] AS x", "qualified_table"],
  ],
  "table functions": [
    ["numbers flood", () => "SELECT count() FROM numbers(1000000000000)", "table_function"],
    ["numbers with a case trick", () => "SELECT count() FROM NUMBERS(1e12)", "table_function"],
    ["system.numbers", () => "SELECT count() FROM system.numbers", "qualified_table"],
    ["file()", () => "SELECT * FROM file('/etc/passwd', 'LineAsString')", "table_function"],
    ["url()", () => "SELECT * FROM url('http://127.0.0.1:9/x', 'CSV', 'a String')", "table_function"],
    ["remote()", () => "SELECT * FROM remote('127.0.0.1', system.tables)", "table_function"],
    ["s3()", () => "SELECT * FROM s3('http://127.0.0.1:9/b/k.csv')", "table_function"],
    ["merge()", (d) => `SELECT * FROM merge('${d}', '.*')`, "table_function"],
    ["view()", (d) => `SELECT * FROM view(SELECT * FROM ${d}.transactions)`, "table_function"],
    ["generateRandom()", () => "SELECT * FROM generateRandom('a String') LIMIT 1", "table_function"],
    ["EXPLAIN as a subquery", () => "SELECT * FROM (EXPLAIN SELECT 1)", "table_function"],
    ["a table function in a join", () => "SELECT * FROM transactions, numbers(10)", "table_function"],
    [
      "a parameterised view call on an allowed name",
      () => "SELECT * FROM transactions(tenant_id = 'ten_beta')",
      "table_function",
    ],
    [
      "a table function in a CTE",
      () => "WITH n AS (SELECT * FROM numbers(1e12)) SELECT count() FROM n",
      "table_function",
    ],
  ],
  "system tables, other databases, quoting and case": [
    ["system.tables", () => "SELECT * FROM system.tables", "qualified_table"],
    ["double-quoted", () => 'SELECT * FROM "system"."tables"', "qualified_table"],
    ["backticks", () => "SELECT * FROM `system`.`tables`", "qualified_table"],
    ["one backticked dotted name", () => "SELECT * FROM `system.tables`", "qualified_table"],
    ["case tricks", () => "SeLeCt * FrOm SyStEm.TaBlEs", "qualified_table"],
    ["information_schema", () => "SELECT * FROM information_schema.tables", "qualified_table"],
    ["INFORMATION_SCHEMA upper case", () => "SELECT * FROM INFORMATION_SCHEMA.COLUMNS", "qualified_table"],
    ["the analytics database", (d) => `SELECT * FROM ${d}.schema_migrations`, "qualified_table"],
    ["system.one", () => "SELECT * FROM system.one", "qualified_table"],
    ["a name with a space", () => "SELECT * FROM `transactions x`", "table_name"],
    ["a look-alike name (Cyrillic a)", () => "SELECT * FROM `tr\u0430nsactions`", "table_name"],
    ["the tenant column of the raw table", () => "SELECT tenant_id FROM transaction_lines", "query_error"],
    ["virtual columns", () => "SELECT _table, _part FROM transactions", "query_error"],
    ["a name holding a quote", () => "SELECT * FROM `trans``actions`", "table_name"],
    ["a name pretending to carry an alias", () => "SELECT * FROM `secret_notes (alias t)`", "reserved_text"],
  ],
  "settings, statements and output options": [
    ["SET", () => "SET readonly = 0", "not_a_select"],
    ["SETTINGS at the end", () => "SELECT count() FROM transactions SETTINGS readonly = 0", "settings"],
    [
      "SETTINGS in a subquery",
      () => "SELECT * FROM (SELECT count() FROM transactions SETTINGS max_result_rows = 0)",
      "settings",
    ],
    ["SETTINGS in a CTE", () => "WITH x AS (SELECT 1 SETTINGS max_execution_time = 0) SELECT * FROM x", "settings"],
    ["a second statement", (d) => `SELECT 1; DROP TABLE ${d}.transactions`, "multiple_statements"],
    ["a second statement without space", (d) => `SELECT 1;DROP TABLE ${d}.events;`, "multiple_statements"],
    ["a second SELECT", () => "SELECT 1; SELECT * FROM system.tables", "multiple_statements"],
    ["DROP", (d) => `DROP TABLE ${d}.transactions`, "not_a_select"],
    ["INSERT", (d) => `INSERT INTO ${d}.events (id) VALUES ('x')`, "not_a_select"],
    ["INSERT ... SELECT", (d) => `INSERT INTO ${d}.events SELECT * FROM ${d}.events`, "not_a_select"],
    ["ALTER DELETE", (d) => `ALTER TABLE ${d}.events DELETE WHERE 1`, "not_a_select"],
    ["TRUNCATE", (d) => `TRUNCATE TABLE ${d}.events`, "not_a_select"],
    ["CREATE", () => "CREATE TABLE x (a UInt8) ENGINE = Memory", "not_a_select"],
    ["SYSTEM", () => "SYSTEM DROP DNS CACHE", "not_a_select"],
    ["KILL", () => "KILL QUERY WHERE 1", "not_a_select"],
    ["SHOW", () => "SHOW TABLES FROM system", "not_a_select"],
    ["DESCRIBE", () => "DESCRIBE TABLE system.tables", "not_a_select"],
    ["EXPLAIN", () => "EXPLAIN SELECT * FROM system.tables", "not_a_select"],
    ["USE", () => "USE system", "not_a_select"],
    ["GRANT", () => "GRANT ALL ON *.* TO default", "not_a_select"],
    ["INTO OUTFILE", () => "SELECT * FROM transactions INTO OUTFILE '/tmp/leak.csv'", "output_options"],
    ["FORMAT", () => "SELECT * FROM transactions FORMAT JSON", "output_options"],
    [
      "query parameters",
      () => "SELECT count() FROM transactions WHERE customer_id = {analyst_tenant:String}",
      "query_parameter",
    ],
    ["identifier parameters", () => "SELECT * FROM {t:Identifier}", "query_parameter"],
  ],
  "comments hiding keywords": [
    ["block comment before a system table", () => "SELECT * FROM /* transactions */ system.tables", "qualified_table"],
    [
      "line comment before a system table",
      () => "SELECT * FROM transactions UNION ALL SELECT * FROM -- x\n system.tables",
      "qualified_table",
    ],
    ["a statement after a line comment's end", (d) => `SELECT 1 --\n; DROP TABLE ${d}.events`, "multiple_statements"],
    ["a keyword split by a comment", () => "SEL/**/ECT * FROM system.tables", "syntax"],
    ["a name split by a comment", () => "SELECT * FROM sys/**/tem.tables", ["syntax", "table_name", "qualified_table"]],
    ["a hash comment", () => "SELECT * FROM system.tables # transactions", "qualified_table"],
    ["only a comment", () => "/* SELECT * FROM transactions */", "syntax"],
  ],
  functions: [
    ["file() as a function", () => "SELECT file('/etc/passwd')", "function"],
    ["FILE() in upper case", () => "SELECT FILE('/etc/passwd')", "function"],
    ["dictGet", () => "SELECT dictGet('d', 'a', toUInt64(1))", "function"],
    ["joinGet", (d) => `SELECT joinGet('${d}.j', 'v', 1)`, "function"],
    ["hasColumnInTable", () => "SELECT hasColumnInTable('system', 'users', 'name')", "function"],
    ["getSetting", () => "SELECT getSetting('additional_table_filters')", "function"],
    ["getServerSetting", () => "SELECT getServerSetting('path')", "function"],
    ["currentDatabase", () => "SELECT currentDatabase()", "function"],
    ["DATABASE()", () => "SELECT DATABASE()", "function"],
    ["currentUser", () => "SELECT currentUser()", "function"],
    ["hostName", () => "SELECT hostName()", "function"],
    ["filesystemAvailable", () => "SELECT filesystemAvailable()", "function"],
    ["an internal function", () => "SELECT __getScalar('x')", "function"],
    ["sleep", () => "SELECT sleep(3)", "function"],
    ["sleepEachRow", () => "SELECT sleepEachRow(1) FROM transactions", "function"],
    ["SLEEP in upper case, deep in a subquery", () => "SELECT * FROM (SELECT 1 WHERE SLEEP(3) = 0)", "function"],
    ["a denied function in a lambda", () => "SELECT arrayMap(x -> file(x), ['/etc/passwd'])", "function"],
    ["logTrace", () => "SELECT logTrace('x')", "function"],
    ["aiGenerate", () => "SELECT aiGenerate('hello')", "function"],
    ["aiClassify", () => "SELECT aiClassify('hello', ['a', 'b'])", "function"],
    ["aiEmbed", () => "SELECT aiEmbed('hello')", "function"],
    ["AIExtract in upper case", () => "SELECT AIExtract('hello', 'x')", "function"],
    ["aiTranslate", () => "SELECT aiTranslate('hello', 'fr')", "function"],
  ],
};

describe.each(Object.entries(attacks))("%s", (_group, cases) => {
  it.each(cases)("%s", async (_what, query, rule) => {
    await sql.expectRefused(query(db), rule);
  });
});

describe("comments are read the way ClickHouse reads them", () => {
  it("runs a query whose second statement sits inside a nested comment: it is all comment", async () => {
    expect((await sql.run("SELECT 1 AS one /* /* */ ; DROP TABLE events */")).rows).toEqual([[1]]);
  });
});

describe("nothing was changed by the attempts", () => {
  it("still holds every table and row", async () => {
    const tables = await analytics.client.query({
      query: "SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name",
      query_params: { db },
      format: "JSONEachRow",
    });
    expect((await tables.json<{ name: string }>()).map((t) => t.name)).toEqual([
      "campaign_enrolments",
      "customers",
      "events",
      "loyalty_events",
      "message_events",
      "schema_migrations",
      "transaction_lines",
      "transactions",
      "voided_transactions",
    ]);
    expect(await analytics.countTransactions(tenantA)).toBe(3);
  });
});

describe("floods stop at the limits", () => {
  const tight = { ...defaultAnalystSqlLimits, maxExecutionSeconds: 1, maxMemoryBytes: 200 * 1024 ** 2 };

  it("an arrayJoin flood stops at the memory or time limit", async () => {
    await sql.expectRefused(
      "SELECT count() FROM (SELECT arrayJoin(range(100000000)) AS x)",
      ["memory_limit", "time_limit"],
      tight,
    );
    await sql.expectRefused(
      "SELECT count() FROM (SELECT arrayJoin(range(100000)) AS a, arrayJoin(range(100001)) AS b)",
      ["memory_limit", "time_limit"],
      tight,
    );
  });

  it("a large result is an error, not a truncated answer", async () => {
    const e = await sql.expectRefused("SELECT arrayJoin(range(20000)) AS n", "result_limit");
    expect(e.code).toBe("unprocessable");
    await sql.expectRefused(
      "SELECT n FROM (SELECT 1 AS n) ORDER BY n WITH FILL FROM 0 TO 1000000000",
      ["result_limit", "memory_limit", "time_limit"],
      tight,
    );
  });

  it("rows read are limited over the whole query", async () => {
    const few = { ...defaultAnalystSqlLimits, maxRowsToRead: 2 };
    await sql.expectRefused("SELECT count() FROM transactions", "rows_read_limit", few);
  });

  it("refuses recursive CTEs, which could run without an end", async () => {
    await sql.expectRefused(
      "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r) SELECT count() FROM r",
      "recursive_cte",
    );
  });

  it("refuses text longer than the limit before ClickHouse sees it", async () => {
    await sql.expectRefused(`SELECT ${"1 + ".repeat(10_000)}1`, "too_long");
    await sql.expectRefused("   \n  ", "empty");
  });
});
