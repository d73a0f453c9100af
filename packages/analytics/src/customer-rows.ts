import { assertIdentifier } from "./config.ts";
import { type CustomerKeys, keyedMutationSettings, withCustomerKeys } from "./customer-keys.ts";
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
 * Every copy of a fact, wherever it is, also has the fact's sorting key but customer_id (a re-key copies every
 * column; a redelivery's key comes from the fact itself, which ReplacingMergeTree's dedup rests on too): copies
 * are looked for only there (`sameFact`), in the partitions and granules of the customers' own facts.
 */
export const factKeys: Readonly<Record<string, readonly string[]>> = {
  transactions: ["id"],
  transaction_lines: ["transaction_id", "line_no"],
  events: ["id"],
};

/** What re-keying does with a table's rows of the customers: give them the new id, or delete them. */
export type CustomerRowsAction = "rekey" | "delete";

/** A customer merged into another (Postgres's customer_merges): its rows go to the survivor. */
export interface CustomerRowsMerge {
  tenantId: string;
  mergedId: string;
  intoId: string;
}

const table = (target: FactsTarget, name: string) => `${assertIdentifier(target.database)}.${assertIdentifier(name)}`;
const tuple = (columns: readonly string[]) => `(${columns.map((c) => `\`${c}\``).join(", ")})`;

/**
 * Gives the rows of the tenant of the batch's customers (`keys`, see withCustomerKeys) the id the batch maps each to
 * (an erasure's pseudonym, a merge's survivor), or deletes them, as `actionOf` says per table; it is asked for every
 * table before anything changes, and may throw. No statement spells a customer's id: each reads the batch. A
 * sorting-key column cannot be updated, so those rows are copied with their new id (FINAL: each fact once) and the
 * originals deleted; elsewhere `customer_id` is updated in place. Deletes are mutations (`mutations_sync`: done when
 * the statement returns, and the parts are rewritten, not just masked). Tables without rows of the customers are left
 * alone (a rerun costs a count per table), unless the batch lost its pairs (a restart): the pass then fails, and its
 * rerun finds what it left. Safe to run again with the same new ids: a repeated copy (after a crash before the
 * delete) is found under its new id and the originals it copies are deleted, not copied again, and once the
 * originals are gone there is nothing left to copy. Safe to run later with other new ids for facts that arrived
 * after the first run: a late copy of a fact that was already re-keyed, under whatever id (an earlier pseudonym,
 * which is kept nowhere), is deleted instead of re-keyed (`factKeys`), so no fact counts twice.
 */
export async function rekeyCustomerRows(
  target: FactsTarget,
  tenantId: string,
  keys: CustomerKeys,
  actionOf: (table: string) => CustomerRowsAction,
): Promise<void> {
  const plan = await planOf(target, actionOf);
  await moveCustomerRows(target, plan, tenantId, keys);
}

/**
 * Merges' part in ClickHouse (Postgres moved each merged customer's sales, profile facts and identities to its
 * survivor): every fact of a merged customer re-keyed to its survivor, so segments count one person's orders once
 * and together. Its `customers` row is deleted, not re-keyed: that is the merged customer's snapshot, which must
 * never replace the survivor's (the snapshot writer writes the survivor's anew from Postgres). Once done, no row
 * names a merged customer: it is nobody's segment member. Safe to repeat (a redelivered merge, facts of a merged
 * customer that arrived after it): see rekeyCustomerRows.
 *
 * One pass per tenant and table for all the merges given (a consumer batch's). A survivor merged away itself in
 * the same pass (an app account known by its phone alone, whose phone another account then proved) passes its
 * customers on: each merged customer's rows go to the last survivor, as merging one by one would take them. Two
 * merged customers of a pass share a fact only as two steps of such a chain, so with the same survivor (a crash
 * between the steps): both copies get its id and collapse under FINAL.
 */
export async function mergeCustomerRows(target: FactsTarget, merges: readonly CustomerRowsMerge[]): Promise<void> {
  if (!merges.length) return;
  const plan = await planOf(target, (name) => (name === "customers" ? "delete" : "rekey"));
  const byTenant = new Map<string, Map<string, string>>();
  for (const m of merges) byTenant.set(m.tenantId, (byTenant.get(m.tenantId) ?? new Map()).set(m.mergedId, m.intoId));
  for (const [tenantId, into] of byTenant) {
    const last = new Map([...into.keys()].map((id) => [id, lastSurvivor(into, id)]));
    await withCustomerKeys(target, last, (keys) => moveCustomerRows(target, plan, tenantId, keys));
  }
}

/** Where a merged customer's rows end up when its survivor was merged too; a cycle cannot be, and is refused. */
function lastSurvivor(into: ReadonlyMap<string, string>, mergedId: string): string {
  let survivor = mergedId;
  for (let hops = 0; ; hops++) {
    const next = into.get(survivor);
    if (next === undefined) return survivor;
    if (hops === into.size) throw new Error(`customer merges: the survivors of ${mergedId} form a cycle`);
    survivor = next;
  }
}

interface TablePlan {
  table: string;
  inSortingKey: boolean;
  action: CustomerRowsAction;
}

async function planOf(target: FactsTarget, actionOf: (table: string) => CustomerRowsAction): Promise<TablePlan[]> {
  const plan = (await clickhouseCustomerTables(target)).map((c) => ({ ...c, action: actionOf(c.table) }));
  for (const { table: name, inSortingKey, action } of plan)
    if (action === "rekey" && inSortingKey && !factKeys[name])
      throw new Error(`ClickHouse table ${name}: customer_id is in its sorting key; name its fact key in factKeys`);
  return plan;
}

/** The rows of the tenant of the batch's customers to the id the batch maps each to (see rekeyCustomerRows). */
async function moveCustomerRows(
  target: FactsTarget,
  plan: readonly TablePlan[],
  tenantId: string,
  keys: CustomerKeys,
): Promise<void> {
  const params = { tenant: tenantId, ...keys.params };
  const ofCustomers = `tenant_id = {tenant:String} AND customer_id IN ${keys.ids}`;
  const settings = `SETTINGS ${keyedMutationSettings}`;
  for (const { table: name, inSortingKey, action } of plan) {
    if (await noneLeft(target, name, tenantId, keys)) continue;
    const t = table(target, name);
    const factKey = factKeys[name];
    if (action === "rekey" && inSortingKey && factKey) {
      const columns = await columnsOf(target, name);
      const key = tuple(factKey);
      const sameFact = tuple([
        ...new Set([...columns.sortingKey.filter((c) => c !== "tenant_id" && c !== "customer_id"), ...factKey]),
      ]);
      // Facts of the customers already re-keyed (a crash before the delete below, a fact delivered again after an
      // earlier pass): their copy under another id already counts. Looked for among the customers' facts' sorting
      // keys, not the whole tenant's; a first pass finds none and skips this mutation.
      const copies = `SELECT ${key} FROM ${t} WHERE tenant_id = {tenant:String} AND customer_id NOT IN ${keys.ids}
          AND ${sameFact} IN (SELECT ${sameFact} FROM ${t} WHERE ${ofCustomers})`;
      if ((await countOf(target, copies, params)) > 0) {
        await target.client.command({
          query: `ALTER TABLE ${t} DELETE WHERE ${ofCustomers} AND ${key} IN (${copies}) ${settings}`,
          query_params: params,
        });
        // A redelivery of facts already moved, a rerun after a crash: often nothing is left to copy or delete.
        if (await noneLeft(target, name, tenantId, keys)) continue;
      }
      const list = columns.insertable.map((c) => `\`${c}\``).join(", ");
      const select = columns.insertable.map((c) => (c === "customer_id" ? keys.newId : `\`${c}\``)).join(", ");
      // An explicit column list: chdb silently inserts nothing for `SELECT * REPLACE (...)`.
      await target.client.command({
        query: `INSERT INTO ${t} (${list}) SELECT ${select} FROM ${t} FINAL WHERE ${ofCustomers}`,
        query_params: params,
      });
    } else if (action === "rekey") {
      await target.client.command({
        query: `ALTER TABLE ${t} UPDATE customer_id = ${keys.newId} WHERE ${ofCustomers} ${settings}`,
        query_params: params,
      });
      continue;
    }
    await target.client.command({
      query: `ALTER TABLE ${t} DELETE WHERE ${ofCustomers} ${settings}`,
      query_params: params,
    });
  }
}

async function countOf(target: FactsTarget, rows: string, params: Record<string, unknown>): Promise<number> {
  const result = await target.client.query({
    query: `SELECT count() AS n FROM (${rows})`,
    query_params: params,
    format: "JSONEachRow",
  });
  return Number((await result.json<{ n: string }>())[0]?.n ?? 0);
}

/**
 * True when the table holds none of the batch's customers' rows, so the pass may skip it. A batch the server lost
 * (see withCustomerKeys) selects no one, and finds none anywhere: that fails the pass rather than skip the table.
 */
async function noneLeft(target: FactsTarget, name: string, tenantId: string, keys: CustomerKeys): Promise<boolean> {
  if ((await countRows(target, name, tenantId, keys)) > 0) return false;
  await keys.assertWhole();
  return true;
}

async function countRows(target: FactsTarget, name: string, tenantId: string, keys: CustomerKeys) {
  const result = await target.client.query({
    query: `SELECT count() AS n FROM ${table(target, name)}
      WHERE tenant_id = {tenant:String} AND customer_id IN ${keys.ids}`,
    query_params: { tenant: tenantId, ...keys.params },
    format: "JSONEachRow",
  });
  return Number((await result.json<{ n: string }>())[0]?.n ?? 0);
}

/**
 * How many rows still carry the customers' ids, over every table with a customer_id (facts that arrived late); the
 * ids are read from a batch (withCustomerKeys), so the statements do not spell them. A batch a restart emptied
 * would count none: withCustomerKeys fails the count instead.
 */
export async function rowsOfCustomers(target: FactsTarget, tenantId: string, customerIds: string[]): Promise<number> {
  const tables = await clickhouseCustomerTables(target);
  return withCustomerKeys(target, new Map(customerIds.map((id) => [id, id])), async (keys) => {
    let n = 0;
    for (const { table: name } of tables) n += await countRows(target, name, tenantId, keys);
    return n;
  });
}

/** A table's columns an insert can name, and its sorting key's columns. */
async function columnsOf(target: FactsTarget, name: string): Promise<{ insertable: string[]; sortingKey: string[] }> {
  const result = await target.client.query({
    query: `SELECT name, default_kind NOT IN ('MATERIALIZED', 'ALIAS', 'EPHEMERAL') AS insertable,
        is_in_sorting_key AS in_key
      FROM system.columns WHERE database = {db:String} AND table = {table:String} ORDER BY position`,
    query_params: { db: target.database, table: name },
    format: "JSONEachRow",
  });
  const rows = await result.json<{ name: string; insertable: number | string; in_key: number | string }>();
  return {
    insertable: rows.filter((r) => Number(r.insertable) === 1).map((r) => r.name),
    sortingKey: rows.filter((r) => Number(r.in_key) === 1).map((r) => r.name),
  };
}
