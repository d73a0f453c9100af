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

const probe = "analyst_sql_flushed";

/**
 * chdb (libchdb 26.7) keeps what a statement had written before it failed (a JSON header, the rows
 * sent before a limit or a timeout hit) and hands it out in front of the next result on the same
 * connection, whoever asked for it. After one of our statements fails we read that leftover out
 * ourselves, so another tenant's query never receives this one's partial rows. Over HTTP every
 * request has its own response and the probe comes back alone.
 */
export async function flushLeftovers(client: ClickHouseClient): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const result = await client.query({ query: `SELECT '${probe}' AS probe`, format: "TabSeparated" });
      if ((await result.text()).trim() === probe) return;
    } catch {
      return; // the engine is away; nothing is left to hand out
    }
  }
}
