import { type Db, ownPool } from "./client.ts";
import type { DbTx } from "./errors.ts";
import type { Prisma } from "./generated/prisma/client.ts";

/**
 * Runs read statements built with `Prisma.sql`. Two implementations: Prisma itself (inside a transaction, or
 * where a few statements a second do not matter) and a pg pool of its own for hot read paths. Measured here,
 * Prisma's `$queryRaw` spends 0.3 ms of CPU on `SELECT 1` where pg spends 0.1 ms, and about 0.8 ms on the
 * checkout quote's one statement: at hundreds of quotes a second that is most of the gateway's CPU, and its
 * queueing is the quote's tail latency.
 *
 * Rows come back as pg gives them: int8 and numeric as strings (read them with `exactNumber`), json parsed,
 * timestamps as Date. Write statements keep going through Prisma, but for single-statement writes outside any
 * transaction on a hot path, which a pool may carry too (`rows` runs any statement): the guessing throttles' counts
 * that every checkout with codes or a phone writes (`MissCounts` of @regulars/checkout-store).
 */
export interface SqlReader {
  rows<T>(query: Prisma.Sql): Promise<T[]>;
}

/** A reader over Prisma: the same statements, inside the caller's transaction when given one. */
export function prismaReader(db: Db | DbTx): SqlReader {
  return { rows: <T>(query: Prisma.Sql) => db.$queryRaw<T[]>(query) };
}

export interface PoolReader extends SqlReader {
  /**
   * Opens every connection the pool keeps, so that a server's first requests after a start find them open. Opening
   * one is bounded by `connectionTimeoutMs` of wall time, which a machine busy starting the process can outlast:
   * the first requests were then refused 503 "retry later" while Postgres was fine. Rejects with the first failure
   * after releasing what it opened; the pool opens the rest on demand.
   */
  warm(): Promise<void>;
  close(): Promise<void>;
}

export interface PoolReaderOptions {
  url: string;
  poolSize?: number;
  /**
   * Longest a statement may run before Postgres cancels it (`statement_timeout`); `poolReaderDefaults` when absent.
   * A hot read path answers a request waiting on it: a statement stuck behind a lock or a slow disk must free its
   * connection, not hold it (and the requests queued behind it) for as long as it takes.
   */
  statementTimeoutMs?: number;
  /**
   * Longest a statement waits for a connection, opened or taken from the pool (`connectionTimeoutMillis`);
   * `poolReaderDefaults` when absent. Without it a Postgres out of reach, or every connection busy, queues every
   * request for as long as the operating system's connect timeout (minutes).
   */
  connectionTimeoutMs?: number;
  /** Who holds the connections, as `pg_stat_activity` shows them to an operator. */
  applicationName?: string;
  /**
   * Plan each statement once, for any values, and keep that plan for the connection's life
   * (`plan_cache_mode = force_generic_plan`), instead of planning again on every execution (about 1 ms of Postgres
   * CPU for the gateway's look-up of posted transactions, hundreds of times a second). Only for statements whose
   * shape makes any plan probe each table by its key: a plan made while a table was empty would otherwise go on
   * scanning it as it grows, until an ANALYZE replaces it (`recordedAll` of the gateway says how its look-up does it).
   * Even so, an empty table's plan may probe by a shorter index that shares the key's leading column (the tenant), so
   * such connections are replaced every `planOnceLifetimeSeconds`: a plan lasts that long at most, then is made again
   * on the table as it is.
   */
  planOnce?: boolean;
  /**
   * Commit without waiting for the commit's WAL record to reach the disk (`synchronous_commit = off`): for writes that
   * may lose their last fraction of a second to a Postgres crash (a throttle's counts), where a row updated hundreds
   * of times a second would otherwise stay locked through every flush, and its writers queue behind each other.
   */
  asyncCommit?: boolean;
}

/**
 * The pool reader's bounds when its user sets none. Its users are request paths (the gateway's checkout quotes and
 * its intake's lookups), whose statements take milliseconds: seconds mean Postgres is in trouble, and the request is
 * better refused (or, for the intake, answered without it) than kept waiting.
 */
export const poolReaderDefaults = {
  statementTimeoutMs: 5_000,
  connectionTimeoutMs: 2_000,
  planOnceLifetimeSeconds: 60,
} as const;

/**
 * A reader over a small pg pool of its own. Statements run as named prepared statements keyed by their text,
 * so Postgres parses and plans each one once per connection; the names are bounded by the statements the
 * code holds, not by their values.
 *
 * Postgres still plans a prepared statement again for its values each time the plan for any values looks costlier,
 * and one that reads an array of keys always does: it plans for the array's length, where the plan for any values
 * assumes ten (`pg_prepared_statements`: every execution a custom plan). `planOnce` stops that.
 */
export function createPoolReader(opts: PoolReaderOptions): PoolReader {
  const max = opts.poolSize ?? 4;
  // Every connection opened stays (`min`): a new one would prepare and plan each statement again on a backend
  // with cold caches, which is the hot path's latency tail.
  const pool = ownPool({
    connectionString: opts.url,
    max,
    min: max,
    statement_timeout: opts.statementTimeoutMs ?? poolReaderDefaults.statementTimeoutMs,
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? poolReaderDefaults.connectionTimeoutMs,
    ...(opts.applicationName ? { application_name: opts.applicationName } : {}),
    ...(opts.planOnce || opts.asyncCommit
      ? {
          options: [
            ...(opts.planOnce ? ["-c plan_cache_mode=force_generic_plan"] : []),
            ...(opts.asyncCommit ? ["-c synchronous_commit=off"] : []),
          ].join(" "),
        }
      : {}),
    ...(opts.planOnce ? { maxLifetimeSeconds: poolReaderDefaults.planOnceLifetimeSeconds } : {}),
  });
  const names = new Map<string, string>();
  const nameOf = (text: string) => {
    let name = names.get(text);
    if (!name) {
      name = `regulars_read_${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    async rows<T>(query: Prisma.Sql) {
      const result = await pool.query({ name: nameOf(query.text), text: query.text, values: query.values });
      return result.rows as T[];
    },
    async warm() {
      const opened = await Promise.allSettled(Array.from({ length: max }, () => pool.connect()));
      for (const client of opened) if (client.status === "fulfilled") client.value.release();
      const failed = opened.find((client) => client.status === "rejected");
      if (failed) throw failed.reason;
    },
    close: () => pool.end(),
  };
}
