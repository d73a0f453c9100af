import { randomBytes } from "node:crypto";
import { DomainError } from "@regulars/errors";
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
  /**
   * Throws CustomerKeysLostError unless the batch still holds every pair it was given. A statement that read it
   * after a restart selected no one and said so by succeeding: call this wherever finding none of the customers'
   * rows skips work (withCustomerKeys calls it once more when the pass ends).
   */
  readonly assertWhole: () => Promise<void>;
}

/**
 * A batch lost pairs while its pass ran: a server restart empties the helper table (a Memory table), and the
 * statements that read it since selected fewer customers or none, leaving their rows where they were. The pass
 * must run again with a batch of its own. ClickHouse's type for aborted work makes it a failure that may go away by
 * itself (isTransientClickHouseError): a consumer delivers its merge again, an erasure stays pending for its retry.
 */
export class CustomerKeysLostError extends DomainError {
  readonly type = "ABORTED";
  constructor(expected: number, found: number) {
    super(
      "unavailable",
      `ClickHouse lost a batch of customer keys during its pass (${found} of ${expected} pairs left; ` +
        "restarted?): the pass changed only some of the rows, and must run again",
    );
    this.name = "CustomerKeysLostError";
  }
}

/**
 * Settings of a mutation that selects rows through a batch. `mutations_sync = 2`: the mutation has rewritten every
 * part when the statement returns, so the batch's rows may go. `mutations_execute_subqueries_on_initiator = 0`: were a
 * profile to turn it on, `newId`'s subqueries would be run first and their result (the ids) stored in the mutation's
 * text. The subqueries make such a mutation non-deterministic, which a replicated table refuses: these tables are
 * not replicated. On ReplicatedMergeTree or SharedMergeTree the mutation runs on each replica (or on whichever one
 * takes it), which would read its own helper table, empty there: the batch would have to be readable on every replica
 * (a replicated helper table, a Join table or a dictionary loaded on each), and `assertWhole`, which counts it on the
 * server the pass talks to, could not tell. Not built: the deployment's tables are unreplicated.
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
 * ends, however it ends. The ids reach ClickHouse as an insert's data, which neither the query log nor the server
 * log holds. The helper table is a Memory table: its rows live in the server's memory only, never in a part on disk,
 * where a pseudonym would sit beside the id it replaced until the part's files were removed (a delete rewrites a
 * part, the old one stays for minutes; a lightweight delete only masks the row), and in any backup or snapshot of
 * the disk taken meanwhile. A restart empties it, and the table stays: every statement after that reads an empty
 * batch and succeeds having changed nothing. So the batch is counted by its token (`assertWhole`) where a pass would
 * skip a table for finding none of its customers and once more when `use` resolves: the batch only ever loses pairs,
 * so that last count sees any loss during the pass, which then fails (CustomerKeysLostError) instead of returning.
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
    const keys = keysOf(table);
    const result = await use(keys);
    await keys.assertWhole();
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
      assertWhole: async () => {
        if (!values.length) return;
        const result = await target.client.query({
          query: `SELECT count() AS n ${ofBatch}`,
          query_params: { rekey_batch: batch },
          format: "JSONEachRow",
        });
        const found = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
        if (found !== values.length) throw new CustomerKeysLostError(values.length, found);
      },
    };
  }
}
