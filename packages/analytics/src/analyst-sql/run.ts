import type { ClickHouseClient } from "@clickhouse/client";
import { assertIdentifier } from "../config.ts";
import { analystSqlError, checkingError } from "./clickhouse-errors.ts";
import { type AnalystSqlLimits, defaultAnalystSqlLimits, limitSettings } from "./limits.ts";
import { stringColumn } from "./output.ts";
import { checkQueryTree } from "./query-tree.ts";
import { refuse } from "./refusal.ts";
import { analystTableNames, assertTenantId, bindingsFor, tenantFilterSetting, tenantParam } from "./tables.ts";
import { validateAnalystSql } from "./validate.ts";

export interface AnalystSqlColumn {
  name: string;
  /** ClickHouse type, e.g. `Int64`, `DateTime64(3, 'UTC')`, `Array(LowCardinality(String))`. */
  type: string;
}

export interface AnalystSqlResult {
  columns: AnalystSqlColumn[];
  /** One array per row, values in column order as ClickHouse's JSON gives them (64-bit integers as strings). */
  rows: unknown[][];
  statistics: { rowsRead: number; bytesRead: number; elapsedSeconds: number };
}

interface JsonCompactResult {
  meta: AnalystSqlColumn[];
  data: unknown[][];
  statistics?: { elapsed: number; rows_read: number | string; bytes_read: number | string };
}

/** Where the facts are: `Analytics` satisfies this. */
export interface AnalystSqlTarget {
  client: ClickHouseClient;
  database: string;
}

/**
 * The statement that runs for an analyst: their (canonical, checked) SELECT as a subquery under our
 * bindings, with the tenant filter repeated as a table filter, read-only mode and the limits.
 */
export function analystStatement(
  database: string,
  tenantId: string,
  formatted: string,
  tables: Iterable<string>,
  limits: AnalystSqlLimits,
  setReadonly = true,
): string {
  const settings = [...limitSettings(limits, setReadonly), tenantFilterSetting(database, tenantId)];
  return `${bindingsFor(database, tables)}\nSELECT * FROM (\n${formatted}\n)\nSETTINGS ${settings.join(", ")}`;
}

/**
 * The result, or a refusal when it cannot be read: a server that hits a limit or an error after it began
 * sending rows ends the body with the exception instead of the rest of the JSON.
 */
async function resultBody(result: { json(): Promise<unknown> }): Promise<JsonCompactResult> {
  try {
    return (await result.json()) as JsonCompactResult;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    refuse("query_error", "the query failed while its result was being sent (a limit or an error in a later row)");
  }
}

const rethrowChecking = (error: unknown): never => {
  throw checkingError(error, "explain");
};

const readOnlyConnections = new WeakMap<ClickHouseClient, Promise<boolean>>();

/** Whether the connection's user is read-only already (its settings profile says so); asked once per client. */
function connectionIsReadOnly(client: ClickHouseClient): Promise<boolean> {
  let known = readOnlyConnections.get(client);
  if (!known) {
    known = stringColumn(client, { query: "SELECT toString(getSetting('readonly')) AS readonly" }, "readonly").then(
      ([readonly]) => readonly !== "0",
    );
    known.catch(() => readOnlyConnections.delete(client));
    readOnlyConnections.set(client, known);
  }
  return known;
}

/**
 * Runs one analyst's read-only SQL over their tenant's rows of the allowed tables, or refuses it with
 * the rule it broke (AnalystSqlRefused, a DomainError). The layers, each enough on its own for what it
 * guards (docs/analyst-sql.md): parse-tree rules, bindings of every table name, ClickHouse's resolved
 * query tree, a table filter by tenant, read-only mode, limits.
 */
export async function runAnalystSql(
  target: AnalystSqlTarget,
  tenantId: string,
  sql: string,
  limits: AnalystSqlLimits = defaultAnalystSqlLimits,
): Promise<AnalystSqlResult> {
  const database = assertIdentifier(target.database);
  const tenant = assertTenantId(tenantId);
  const { client } = target;
  try {
    const { formatted, tables } = await validateAnalystSql(client, sql, limits);
    const params = { [tenantParam]: tenant };
    const setReadonly = !(await connectionIsReadOnly(client).catch(rethrowChecking));
    const statement = analystStatement(database, tenant, formatted, tables, limits, setReadonly);
    // The analyzer evaluates constant expressions and scalar subqueries while it resolves the tree, so a
    // failure here may quote a computed value: it is answered with a fixed refusal (checkingError).
    const tree = await stringColumn(
      client,
      { query: `EXPLAIN QUERY TREE ${statement}`, query_params: params },
      "explain",
    ).catch(rethrowChecking);
    checkQueryTree(tree, new Set([...analystTableNames.map((name) => `${database}.${name}`), "system.one"]));

    const result = await client.query({ query: statement, query_params: params, format: "JSONCompact" });
    const body = await resultBody(result);
    // ClickHouse checks the result limits block by block; the cap we promise is exact.
    if (body.data.length > limits.maxResultRows) {
      refuse("result_limit", `the result has more than ${limits.maxResultRows} rows; aggregate or add a LIMIT`);
    }
    return {
      columns: body.meta.map(({ name, type }) => ({ name, type })),
      rows: body.data,
      statistics: {
        rowsRead: Number(body.statistics?.rows_read ?? 0),
        bytesRead: Number(body.statistics?.bytes_read ?? 0),
        elapsedSeconds: Number(body.statistics?.elapsed ?? 0),
      },
    };
  } catch (error) {
    // chdb's leftover output of a failed statement is read out by the connection itself (chdb-connection.ts).
    throw analystSqlError(error, database);
  }
}
