import type { ClickHouseClient } from "@clickhouse/client";

/**
 * One string column of our own statements' output (formatQuery, EXPLAIN), read strictly: a row of any
 * other shape means the output is not what we asked for, and nothing is concluded from it.
 */
export async function stringColumn(
  client: ClickHouseClient,
  params: { query: string; query_params?: Record<string, string> },
  column: string,
): Promise<string[]> {
  const result = await client.query({ ...params, format: "JSONEachRow" });
  const rows = await result.json<Record<string, unknown>>();
  return rows.map((row) => {
    const value = row[column];
    if (typeof value !== "string" || Object.keys(row).length !== 1) {
      throw new Error(`Unexpected output from ClickHouse: a row without the one column ${column}`);
    }
    return value;
  });
}
