import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limitSettings } from "../src/analyst-sql/limits.ts";
import { checkQueryTree } from "../src/analyst-sql/query-tree.ts";
import { AnalystSqlRefused } from "../src/analyst-sql/refusal.ts";
import { tenantFilterSetting, tenantParam } from "../src/analyst-sql/tables.ts";
import { type Analytics, analystStatement, defaultAnalystSqlLimits } from "../src/index.ts";
import { analystRunner, currentDatabaseTable, seedTwoTenants, tenantA, tenantB } from "./analyst-sql.fixtures.ts";

// Each fence on its own, with the others out of the way: if the parse-tree rules ever miss something,
// what is behind them still holds. And the two engine facts that made the parse-tree rules necessary.

let analytics: Analytics & { dispose(): Promise<void> };
let db: string;

beforeAll(async () => {
  analytics = await testAnalytics();
  db = analytics.database;
  await seedTwoTenants(analytics);
});
afterAll(async () => {
  await analytics?.dispose();
});

const rows = async (query: string, params: Record<string, string> = {}) => {
  const result = await analytics.client.query({ query, query_params: params, format: "JSONEachRow" });
  return result.json<Record<string, unknown>>();
};
const failure = async (query: string, params: Record<string, string> = {}) => {
  try {
    await rows(query, params);
  } catch (e) {
    return e as { type?: string };
  }
  throw new Error(`expected ${query} to fail`);
};
const limits = limitSettings(defaultAnalystSqlLimits).join(", ");

describe("why the parse-tree rules exist", () => {
  it("a SETTINGS clause inside a subquery overrides the limits set on the outer query", async () => {
    const inner = await rows(
      "SELECT * FROM (SELECT getSetting('max_result_rows') AS m SETTINGS max_result_rows = 100) " +
        "SETTINGS readonly = 1, max_result_rows = 5",
    );
    expect(inner).toEqual([{ m: 100 }]);
  });

  it("file() as a function reads the disk even in read-only mode", async () => {
    const dir = await mkdtemp(join(tmpdir(), "regulars-file-"));
    await writeFile(join(dir, "note.txt"), "not for analysts");
    try {
      const [row] = await rows("SELECT file({path:String}) AS content SETTINGS readonly = 1", {
        path: join(dir, "note.txt"),
      });
      expect(row).toEqual({ content: "not for analysts" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("each fence alone", () => {
  it("read-only mode refuses the file() table function and any write", async () => {
    expect((await failure("SELECT * FROM file('/etc/passwd', 'LineAsString') SETTINGS readonly = 1")).type).toBe(
      "READONLY",
    );
    expect((await failure(`CREATE TABLE ${db}.x (a UInt8) ENGINE = Memory SETTINGS readonly = 1`)).type).toBe(
      "READONLY",
    );
  });

  it("the limits stop a numbers() flood before it reads", async () => {
    expect((await failure(`SELECT count() FROM numbers(1000000000000) SETTINGS ${limits}`)).type).toBe("TOO_MANY_ROWS");
  });

  it("the table filter keeps even a direct read of the raw tables to the tenant", async () => {
    const filter = tenantFilterSetting(db, tenantA);
    const seen = await rows(
      `SELECT DISTINCT tenant_id FROM (SELECT tenant_id FROM ${db}.transactions UNION ALL SELECT tenant_id FROM ${db}.events)
       SETTINGS ${filter}`,
    );
    expect(seen).toEqual([{ tenant_id: tenantA }]);
  });

  it("the bindings keep unknown names off the current database's tables, even unchecked", async () => {
    const statement = analystStatement(
      db,
      tenantA,
      `SELECT v FROM ${currentDatabaseTable}`,
      [currentDatabaseTable],
      defaultAnalystSqlLimits,
    );
    const e = (await failure(statement, { [tenantParam]: tenantA })) as { type?: string; message?: string };
    expect(e.type).toBe("UNKNOWN_IDENTIFIER");
    expect(e.message).toMatch(/unknown table secret_notes/);
    expect(e.message).not.toMatch(/s3cr3t/);
  });

  it("the query tree check refuses a read of any other storage or a table function", async () => {
    const tree = async (query: string) =>
      (await rows(`EXPLAIN QUERY TREE ${query}`)).map((r) => String((r as { explain: string }).explain));
    const allowed = new Set([`${db}.transactions`, "system.one"]);
    expect(() => checkQueryTree([], allowed)).not.toThrow();
    for (const query of [
      "SELECT name FROM system.tables",
      `SELECT * FROM ${db}.events`,
      `SELECT * FROM default.${currentDatabaseTable}`,
      "SELECT number FROM numbers(3)",
      // The sides of CROSS JOIN, comma joins and ARRAY JOIN are checked like any other read.
      `SELECT 1 FROM ${db}.transactions CROSS JOIN system.tables`,
      `SELECT 1 FROM ${db}.transactions AS t, default.${currentDatabaseTable} AS s`,
      `SELECT 1 FROM ${db}.transactions AS t, ${db}.events AS e`,
      `SELECT 1 FROM ${db}.transactions AS t CROSS JOIN numbers(3) AS n`,
      `SELECT 1 FROM ${db}.transactions AS t CROSS JOIN url('http://127.0.0.1:9/x', 'CSV', 'a String') AS u`,
      "SELECT x FROM system.tables ARRAY JOIN [1] AS x",
      `SELECT x FROM ${db}.events LEFT ARRAY JOIN [1] AS x`,
    ]) {
      await expect(tree(query).then((t) => checkQueryTree(t, allowed))).rejects.toSatisfy(
        (e: unknown) => e instanceof AnalystSqlRefused && e.rule === "outside_tables",
      );
    }
    for (const query of [
      `SELECT count() FROM ${db}.transactions`,
      `SELECT count() FROM ${db}.transactions AS t CROSS JOIN ${db}.transactions AS u`,
      `SELECT count() FROM ${db}.transactions AS t, (SELECT 1 AS a) AS x`,
      `SELECT x FROM ${db}.transactions LEFT ARRAY JOIN [1, 2] AS x`,
    ]) {
      await expect(
        tree(query).then((t) => checkQueryTree(t, allowed)),
        query,
      ).resolves.toBe(undefined);
    }
  });

  it("the query tree check refuses hasAny and hasAll unless one side folded into a short array", async () => {
    const tree = async (call: string) =>
      (await rows(`EXPLAIN QUERY TREE SELECT ${call} FROM (SELECT [1, 2] AS x)`)).map((r) => String(r.explain));
    const allowed = new Set(["system.one"]);
    for (const call of ["hasAny(x, arrayMap(y -> y + 1, x))", "hasAll(x, range(1001))", "hasAny(range(1001), x)"]) {
      await expect(
        tree(call).then((t) => checkQueryTree(t, allowed)),
        call,
      ).rejects.toSatisfy((e: unknown) => e instanceof AnalystSqlRefused && e.rule === "function");
    }
    for (const call of ["hasAny(x, [3, 1])", "hasAll(x, [x[1], 2])", "hasAny(range(1000), x)", "hasAny(x, ['a,]'])"]) {
      await expect(
        tree(call).then((t) => checkQueryTree(t, allowed)),
        call,
      ).resolves.toBe(undefined);
    }
  });
});

describe("what a failed query leaves behind", () => {
  it("never reaches the next tenant's answer", async () => {
    const sql = analystRunner(analytics);
    // Fails after the engine wrote the result's header, which names the column.
    const stopped = await sql.run("SELECT arrayJoin(range(20000)) AS beta_column", tenantB).catch((e) => e);
    expect(stopped).toBeInstanceOf(AnalystSqlRefused);
    expect((stopped as AnalystSqlRefused).rule).toBe("result_limit");
    expect(await sql.rowsOf("SELECT count() AS n FROM transactions")).toEqual([{ n: "3" }]);
  });
});
