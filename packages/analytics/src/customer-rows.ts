import { assertIdentifier } from "./config.ts";
import type { FactsTarget } from "./loyalty-events.ts";

export interface CustomerColumn {
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

/**
 * What names one fact whatever its customer_id, for the fact tables whose sorting key holds customer_id: a copy
 * of a fact under another customer is the same fact, so a late copy of one already re-keyed is dropped instead.
 */
export const factKeys: Readonly<Record<string, readonly string[]>> = {
  transactions: ["id"],
  transaction_lines: ["transaction_id", "line_no"],
  events: ["id"],
};

/** What re-keying does with a table's rows of the customers: give them the new id, or delete them. */
export type CustomerRowsAction = "rekey" | "delete";

const table = (target: FactsTarget, name: string) => `${assertIdentifier(target.database)}.${assertIdentifier(name)}`;

/**
 * Gives the customers' rows of the tenant another customer id (`toId`: an erasure's pseudonym, a merge's survivor),
 * or deletes them, as `actionOf` says per table; it is asked for every table before anything changes, and may
 * throw. A sorting-key column cannot be updated, so those rows are copied with `toId` (FINAL: each fact once) and
 * the originals deleted; elsewhere `customer_id` is updated in place. Deletes are mutations (`mutations_sync`: done
 * when the statement returns, and the parts are rewritten, not just masked). Tables without rows of the customers
 * are left alone (a rerun costs a count per table). Safe to run again with the same `toId`: a repeated copy (after
 * a crash before the delete) has the same sorting key as the first and collapses under FINAL, and once the
 * originals are gone there is nothing left to copy. Safe to run later with another `toId` for facts that arrived
 * after the first run: a late copy of a fact that was already re-keyed is deleted instead of re-keyed (`factKeys`),
 * so no fact counts twice.
 */
export async function rekeyCustomerRows(
  target: FactsTarget,
  tenantId: string,
  customerIds: string[],
  toId: string,
  actionOf: (table: string) => CustomerRowsAction,
): Promise<void> {
  const plan = (await clickhouseCustomerTables(target)).map((c) => ({ ...c, action: actionOf(c.table) }));
  for (const { table: name, inSortingKey, action } of plan)
    if (action === "rekey" && inSortingKey && !factKeys[name])
      throw new Error(`ClickHouse table ${name}: customer_id is in its sorting key; name its fact key in factKeys`);
  const params = { tenant: tenantId, ids: customerIds, to: toId };
  const ofCustomers = "tenant_id = {tenant:String} AND customer_id IN {ids:Array(String)}";
  for (const { table: name, inSortingKey, action } of plan) {
    if ((await countRows(target, name, tenantId, customerIds)) === 0) continue;
    const t = table(target, name);
    const factKey = factKeys[name];
    if (action === "rekey" && inSortingKey && factKey) {
      // A fact delivered again after an earlier pass re-keyed it: its copy under the new id already counts.
      const key = `(${factKey.map((c) => `\`${c}\``).join(", ")})`;
      await target.client.command({
        query: `ALTER TABLE ${t} DELETE WHERE ${ofCustomers} AND ${key} IN (SELECT ${key} FROM ${t}
          WHERE tenant_id = {tenant:String} AND customer_id NOT IN {ids:Array(String)}) SETTINGS mutations_sync = 2`,
        query_params: params,
      });
      const columns = await insertableColumns(target, name);
      const list = columns.map((c) => `\`${c}\``).join(", ");
      const select = columns.map((c) => (c === "customer_id" ? "{to:String}" : `\`${c}\``)).join(", ");
      // An explicit column list: chdb silently inserts nothing for `SELECT * REPLACE (...)`.
      await target.client.command({
        query: `INSERT INTO ${t} (${list}) SELECT ${select} FROM ${t} FINAL WHERE ${ofCustomers}`,
        query_params: params,
      });
    } else if (action === "rekey") {
      await target.client.command({
        query: `ALTER TABLE ${t} UPDATE customer_id = {to:String} WHERE ${ofCustomers} SETTINGS mutations_sync = 2`,
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

/**
 * A merge's part in ClickHouse (Postgres moved the merged customer's sales, profile facts and identities to the
 * survivor): every fact of the merged customer re-keyed to the survivor, so segments count one person's orders
 * once and together. Its `customers` row is deleted, not re-keyed: that is the merged customer's snapshot, which
 * must never replace the survivor's (the snapshot writer writes the survivor's anew from Postgres). Once done, no
 * row names the merged customer: it is nobody's segment member. Safe to repeat (a redelivered merge, facts of
 * the merged customer that arrived after it): see rekeyCustomerRows.
 */
export function mergeCustomerRows(target: FactsTarget, tenantId: string, mergedId: string, intoId: string) {
  return rekeyCustomerRows(target, tenantId, [mergedId], intoId, (name) => (name === "customers" ? "delete" : "rekey"));
}

async function countRows(target: FactsTarget, name: string, tenantId: string, customerIds: string[]) {
  const result = await target.client.query({
    query: `SELECT count() AS n FROM ${table(target, name)} WHERE tenant_id = {tenant:String} AND customer_id IN {ids:Array(String)}`,
    query_params: { tenant: tenantId, ids: customerIds },
    format: "JSONEachRow",
  });
  return Number((await result.json<{ n: string }>())[0]?.n ?? 0);
}

/** How many rows still carry the customers' ids, over every table with a customer_id (facts that arrived late). */
export async function rowsOfCustomers(target: FactsTarget, tenantId: string, customerIds: string[]): Promise<number> {
  let n = 0;
  for (const { table: name } of await clickhouseCustomerTables(target))
    n += await countRows(target, name, tenantId, customerIds);
  return n;
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
