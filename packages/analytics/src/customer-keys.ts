import { randomBytes } from "node:crypto";
import { assertIdentifier } from "./config.ts";
import type { FactsTarget } from "./loyalty-events.ts";

/**
 * The customers one pass over the tenant's rows selects, and the id each one's rows get, as SQL that reads them from a
 * helper table (`withCustomerKeys`). ClickHouse keeps what a statement spells: a mutation's text stays in
 * system.mutations (and its `mutation_*.txt`), and a server logs each statement with its query parameters substituted
 * (system.query_log, the server log). An erasure's statements spelling the customer's id beside the pseudonym its rows
 * got would tie the two together again; they name a random batch of the helper table instead.
 */
export interface CustomerKeys {
  /** A subquery of the batch's customer ids: `customer_id IN ${ids}`, `customer_id NOT IN ${ids}`. */
  readonly ids: string;
  /** The id a row of one of the batch's customers gets (an expression of its `customer_id`). */
  readonly newId: string;
  /** The query parameters `ids` and `newId` name. */
  readonly params: Readonly<Record<string, string>>;
}

/**
 * Settings of a mutation that selects rows through a batch. `mutations_sync = 2`: the mutation has rewritten every
 * part when the statement returns, so the batch's rows may go. `mutations_execute_subqueries_on_initiator = 0`: were a
 * profile to turn it on, `newId`'s subqueries would be run first and their result (the ids) stored in the mutation's
 * text. The subqueries make such a mutation non-deterministic, which a replicated table refuses (and a replica would
 * read its own helper table): these tables are not replicated.
 */
export const keyedMutationSettings = "mutations_sync = 2, mutations_execute_subqueries_on_initiator = 0";

const helperTable = "customer_rekeys";

/**
 * A batch kept no longer than a pass can take: a process that died in a pass left its batch behind, which the next
 * pass deletes.
 */
const leftoverAfter = "INTERVAL 1 DAY";

/**
 * Runs `use` with a batch of `into`'s customers (each id to the id its rows get), whose rows are deleted when `use`
 * ends, however it ends. The helper table is a Memory table: its rows live in the server's memory only, never in a
 * part on disk where a deleted row stays until the part's files are removed, and they are gone after a restart (a
 * pass then fails, and is retried with a batch of its own). The ids reach ClickHouse as an insert's data, which
 * neither the query log nor the server log holds.
 */
export async function withCustomerKeys<T>(
  target: FactsTarget,
  into: ReadonlyMap<string, string>,
  use: (keys: CustomerKeys) => Promise<T>,
): Promise<T> {
  const table = `${assertIdentifier(target.database)}.${helperTable}`;
  // Created where it is used (no migration): a database migrated before it existed erases and merges as well.
  await target.client.command({
    query: `CREATE TABLE IF NOT EXISTS ${table}
      (batch String, from_id String, to_id String, created_at DateTime DEFAULT now()) ENGINE = Memory`,
  });
  const batch = randomBytes(16).toString("hex");
  const values = [...into].map(([from_id, to_id]) => ({ batch, from_id, to_id }));
  let done = false;
  try {
    if (values.length) await target.client.insert({ table, values, format: "JSONEachRow" });
    const result = await use(keysOf(table));
    done = true;
    return result;
  } finally {
    await target.client
      .command({
        query: `ALTER TABLE ${table}
          DELETE WHERE batch = {rekey_batch:String} OR created_at < now() - ${leftoverAfter}`,
        query_params: { rekey_batch: batch },
      })
      // After a failure, the failure is what the caller hears of; a batch left behind goes with the next pass.
      .catch((error) => {
        if (done) throw error;
      });
  }

  function keysOf(from: string): CustomerKeys {
    const ofBatch = `FROM ${from} WHERE batch = {rekey_batch:String}`;
    // One order for both arrays (an id is in a batch once), however the table hands out its rows.
    const pairs = "arraySort(groupArray((from_id, to_id)))";
    return {
      ids: `(SELECT from_id ${ofBatch})`,
      newId:
        `transform(customer_id, (SELECT arrayMap(p -> p.1, ${pairs}) ${ofBatch}), ` +
        `(SELECT arrayMap(p -> p.2, ${pairs}) ${ofBatch}), customer_id)`,
      params: { rekey_batch: batch },
    };
  }
}
