import type { FactsTarget } from "@regulars/analytics";
import { assertIdentifier } from "@regulars/analytics";
import { clickhouseTables } from "./tables.ts";

interface CustomerColumn {
  table: string;
  inSortingKey: boolean;
}

/** ClickHouse tables of the database with a `customer_id` column, and whether it is part of the sorting key. */
export async function clickhouseCustomerTables(target: FactsTarget): Promise<CustomerColumn[]> {
  const result = await target.client.query({
    query: `SELECT table, is_in_sorting_key FROM system.columns
      WHERE database = {db:String} AND name = 'customer_id' ORDER BY table`,
    query_params: { db: target.database },
    format: "JSONEachRow",
  });
  const rows = await result.json<{ table: string; is_in_sorting_key: number | string }>();
  return rows.map((r) => ({ table: r.table, inSortingKey: Number(r.is_in_sorting_key) === 1 }));
}

const table = (target: FactsTarget, name: string) => `${assertIdentifier(target.database)}.${assertIdentifier(name)}`;

/** Every classified table's rows of the customers, read with FINAL (each fact once). */
export async function exportClickhouse(
  target: FactsTarget,
  tenantId: string,
  customerIds: string[],
): Promise<Record<string, unknown[]>> {
  const present = new Set((await clickhouseCustomerTables(target)).map((c) => c.table));
  const out: Record<string, unknown[]> = {};
  for (const name of Object.keys(clickhouseTables).filter((t) => present.has(t))) {
    const result = await target.client.query({
      query: `SELECT * FROM ${table(target, name)} FINAL
        WHERE tenant_id = {tenant:String} AND customer_id IN {ids:Array(String)}`,
      query_params: { tenant: tenantId, ids: customerIds },
      format: "JSONEachRow",
    });
    out[name] = await result.json();
  }
  return out;
}

/**
 * ClickHouse's part of an erasure. Behavioural tables: the customers' rows deleted. Fact tables: re-keyed
 * to the pseudonym. A sorting-key column cannot be updated, so those rows are copied with the pseudonym
 * (FINAL: each fact once) and the originals deleted; elsewhere `customer_id` is updated in place. Deletes
 * are mutations (`mutations_sync`: done when the statement returns, and the parts are rewritten, not just
 * masked). Safe to run again with the same pseudonym: a repeated copy has the same sorting key as the first
 * and collapses under FINAL, and once the originals are gone there is nothing left to copy. Safe to run
 * later with another pseudonym for facts that arrived after the erasure (see `sweepErasures`): a late copy
 * of a fact that was already re-keyed is deleted instead of re-keyed, so no fact counts twice.
 */
export async function eraseClickhouse(
  target: FactsTarget,
  tenantId: string,
  customerIds: string[],
  pseudonym: string,
): Promise<void> {
  const params = { tenant: tenantId, ids: customerIds, pseudonym };
  const ofCustomers = "tenant_id = {tenant:String} AND customer_id IN {ids:Array(String)}";
  const found = await clickhouseCustomerTables(target);
  const missing = Object.keys(clickhouseTables).filter((t) => !found.some((f) => f.table === t));
  // A database without the fact tables is the wrong database (or not migrated): erasing nothing is no success.
  if (missing.length) throw new Error(`ClickHouse ${target.database} lacks ${missing.join(", ")}`);
  for (const { table: name, inSortingKey } of found) {
    const rule = clickhouseTables[name];
    if (!rule) throw new Error(`ClickHouse table ${name} holds customer ids but is not classified in tables.ts`);
    const t = table(target, name);
    if (rule.erase === "pseudonymise" && inSortingKey) {
      if (!rule.factKey)
        throw new Error(`ClickHouse table ${name}: customer_id is in its sorting key; name its factKey`);
      // A fact delivered again after an earlier pass re-keyed it: its copy under the pseudonym already counts.
      const key = `(${rule.factKey.map((c) => `\`${c}\``).join(", ")})`;
      await target.client.command({
        query: `ALTER TABLE ${t} DELETE WHERE ${ofCustomers} AND ${key} IN (SELECT ${key} FROM ${t}
          WHERE tenant_id = {tenant:String} AND customer_id NOT IN {ids:Array(String)}) SETTINGS mutations_sync = 2`,
        query_params: params,
      });
      const columns = await insertableColumns(target, name);
      const list = columns.map((c) => `\`${c}\``).join(", ");
      const select = columns.map((c) => (c === "customer_id" ? "{pseudonym:String}" : `\`${c}\``)).join(", ");
      // An explicit column list: chdb silently inserts nothing for `SELECT * REPLACE (...)`.
      await target.client.command({
        query: `INSERT INTO ${t} (${list}) SELECT ${select} FROM ${t} FINAL WHERE ${ofCustomers}`,
        query_params: params,
      });
    } else if (rule.erase === "pseudonymise") {
      await target.client.command({
        query: `ALTER TABLE ${t} UPDATE customer_id = {pseudonym:String} WHERE ${ofCustomers} SETTINGS mutations_sync = 2`,
        query_params: params,
      });
      continue;
    }
    await target.client.command({
      query: `ALTER TABLE ${t} DELETE WHERE ${ofCustomers} SETTINGS mutations_sync = 2`,
      query_params: params,
    });
  }
}

async function insertableColumns(target: FactsTarget, name: string): Promise<string[]> {
  const result = await target.client.query({
    query: `SELECT name FROM system.columns WHERE database = {db:String} AND table = {table:String}
      AND default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') ORDER BY position`,
    query_params: { db: target.database, table: name },
    format: "JSONEachRow",
  });
  return (await result.json<{ name: string }>()).map((r) => r.name);
}

/** Behavioural events of the tenant that occurred before `before`; counted first, so a pass with none is cheap. */
export async function deleteEventsBefore(target: FactsTarget, tenantId: string, before: Date): Promise<number> {
  const params = { tenant: tenantId, before: before.getTime() / 1000 };
  const where = "tenant_id = {tenant:String} AND occurred_at < toDateTime64({before:Float64}, 3, 'UTC')";
  const result = await target.client.query({
    query: `SELECT count() AS n FROM ${table(target, "events")} FINAL WHERE ${where}`,
    query_params: params,
    format: "JSONEachRow",
  });
  const n = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
  if (n > 0)
    await target.client.command({
      query: `ALTER TABLE ${table(target, "events")} DELETE WHERE ${where} SETTINGS mutations_sync = 2`,
      query_params: params,
    });
  return n;
}

/** How many rows still carry the customers' ids, over every classified table (facts that arrived late). */
export async function rowsOfCustomers(target: FactsTarget, tenantId: string, customerIds: string[]): Promise<number> {
  let n = 0;
  for (const { table: name } of await clickhouseCustomerTables(target)) {
    const result = await target.client.query({
      query: `SELECT count() AS n FROM ${table(target, name)} WHERE tenant_id = {tenant:String} AND customer_id IN {ids:Array(String)}`,
      query_params: { tenant: tenantId, ids: customerIds },
      format: "JSONEachRow",
    });
    n += Number((await result.json<{ n: string }>())[0]?.n ?? 0);
  }
  return n;
}
