import type { FactsTarget } from "@regulars/analytics";
import type { Db } from "@regulars/db";

// Checks of an erasure, for tests and for an operator answering "is it really gone?": where given strings
// still appear, and the totals an erasure must not move. They scan every text column: slow on a big database.

/** `table.column` of every text-like Postgres column (text, varchar, json, arrays) holding any of `needles`. */
export async function postgresTextHits(db: Db, needles: string[]): Promise<string[]> {
  const columns = await db.$queryRaw<{ table_name: string; column_name: string }[]>`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')
    ORDER BY 1, 2`;
  const patterns = needles.map((n) => `%${n.replace(/[\\%_]/g, "\\$&")}%`);
  const hits: string[] = [];
  for (const { table_name, column_name } of columns) {
    const [row] = await db.$queryRawUnsafe<{ n: bigint }[]>(
      `SELECT count(*) AS n FROM "${table_name}" WHERE "${column_name}"::text LIKE ANY($1::text[])`,
      patterns,
    );
    if (row && row.n > 0n) hits.push(`${table_name}.${column_name}`);
  }
  return hits;
}

/** `table.column` of every String column of the ClickHouse database holding any of `needles`. */
export async function clickhouseTextHits(target: FactsTarget, needles: string[]): Promise<string[]> {
  const columns = await (
    await target.client.query({
      query: `SELECT table, name FROM system.columns WHERE database = {db:String} AND type LIKE '%String%' ORDER BY table, name`,
      query_params: { db: target.database },
      format: "JSONEachRow",
    })
  ).json<{ table: string; name: string }>();
  const hits: string[] = [];
  for (const { table, name } of columns) {
    const result = await target.client.query({
      query: `SELECT count() AS n FROM ${target.database}.\`${table}\` WHERE arrayExists(x -> position(toString(\`${name}\`), x) > 0, {needles:Array(String)})`,
      query_params: { needles },
      format: "JSONEachRow",
    });
    if (Number((await result.json<{ n: string }>())[0]?.n) > 0) hits.push(`${table}.${name}`);
  }
  return hits;
}

/** The tenant's ClickHouse figures, each fact counted once (FINAL). */
export async function clickhouseTotals(target: FactsTarget, tenantId: string) {
  const one = async (sql: string) => {
    const result = await target.client.query({
      query: sql.replaceAll("{db}", target.database),
      query_params: { t: tenantId },
      format: "JSONEachRow",
    });
    return (await result.json<Record<string, string>>())[0]!;
  };
  const tx = await one(
    "SELECT count() AS n, sum(total) AS total, sum(points) AS points, uniqExact(customer_id) AS customers FROM {db}.transactions FINAL WHERE tenant_id = {t:String}",
  );
  const lines = await one(
    "SELECT count() AS n, sum(amount) AS amount FROM {db}.transaction_lines FINAL WHERE tenant_id = {t:String}",
  );
  const loyalty = await one(
    "SELECT count() AS n, sum(points) AS points FROM {db}.loyalty_events FINAL WHERE tenant_id = {t:String}",
  );
  const events = await one("SELECT count() AS n FROM {db}.events FINAL WHERE tenant_id = {t:String}");
  return { tx, lines, loyalty, events: Number(events.n) };
}
