import pg from "pg";
import type { Db } from "./client.ts";
import { ownPool } from "./client.ts";
import { isRetryableConflict, type RawTx, withTransaction } from "./errors.ts";
import { Prisma } from "./generated/prisma/client.ts";

/** Runs `fn` in one database transaction, retried when Postgres reports a serialization conflict or deadlock. */
export interface TransactionRunner {
  run<T>(fn: (tx: RawTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// Rows as Prisma's raw queries give them, so code written against `$queryRaw` reads the same values: int8 as
// bigint, numeric as Decimal, date and timestamp without time zone as UTC instants.
const oids = { int8: 20, numeric: 1700, date: 1082, timestamp: 1114, int8Array: 1016, numericArray: 1231 };
const utc = (text: string) => new Date(`${text.replace(" ", "T")}Z`);
const parsers = new Map<number, (text: string) => unknown>([
  [oids.int8, (t) => BigInt(t)],
  [oids.numeric, (t) => new Prisma.Decimal(t)],
  [oids.date, (t) => utc(`${t} 00:00:00`)],
  [oids.timestamp, utc],
]);
// pg's own parser of a text array (oid 1009) splits the literal; each element is then read as its type.
const textArray = (pg.types.getTypeParser as (oid: number) => (text: string) => (string | null)[])(1009);
const arrayOf =
  (element: (text: string) => unknown) =>
  (text: string): unknown[] =>
    textArray(text).map((e) => (e === null ? null : element(e)));
parsers.set(oids.int8Array, arrayOf(parsers.get(oids.int8)!));
parsers.set(oids.numericArray, arrayOf(parsers.get(oids.numeric)!));
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    (format ?? "text") === "text" && parsers.has(oid)
      ? parsers.get(oid)!
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

/** A tagged template call (`tx.$queryRaw\`...\``) or a built statement (`tx.$queryRaw(Prisma.sql\`...\`)`). */
const statementOf = (query: TemplateStringsArray | Prisma.Sql, values: unknown[]): Prisma.Sql =>
  query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);

// pg writes a Decimal parameter as JSON (a quoted string): as text, Postgres casts it where a number is wanted.
const parameter = (v: unknown) => (Prisma.Decimal.isDecimal(v) ? (v as Prisma.Decimal).toString() : v);

/**
 * Prisma's raw methods over one pg connection: `$queryRaw`, `$executeRaw` and their `Unsafe` forms, all that
 * `RawTx` lets the code it is handed call. They answer plain promises where Prisma's answer its own kind.
 */
function rawTransactionClient(client: pg.PoolClient): RawTx {
  const query = async (text: string, values: unknown[]) => client.query(text, values.map(parameter));
  const raw = {
    $queryRaw: async (q: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const s = statementOf(q, values);
      return (await query(s.text, s.values)).rows;
    },
    $executeRaw: async (q: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) => {
      const s = statementOf(q, values);
      return (await query(s.text, s.values)).rowCount ?? 0;
    },
    $queryRawUnsafe: async (text: string, ...values: unknown[]) => (await query(text, values)).rows,
    $executeRawUnsafe: async (text: string, ...values: unknown[]) => (await query(text, values)).rowCount ?? 0,
  };
  return raw as unknown as RawTx;
}

/**
 * Transactions on a pg pool of their own, for a hot writer whose statements are all raw SQL (the ledger's batch, the
 * gateway's checkout holds).
 * Prisma's raw queries serialise every parameter to JSON and back and keep a request object per statement:
 * measured on the ledger's batches, a fifth of the worker's CPU went to that layer, where pg writes the same
 * parameters straight to the socket. Rows read the same as through Prisma (see `parsers`).
 */
export function createPgTransactionRunner(opts: {
  url: string;
  poolSize?: number;
  /** Who holds the connections, as `pg_stat_activity` shows them to an operator. */
  applicationName?: string;
}): TransactionRunner {
  const max = opts.poolSize ?? 4;
  const pool = ownPool({
    connectionString: opts.url,
    max,
    application_name: opts.applicationName ?? "regulars-ledger-batches",
    // A process that stops mid-transaction (hung, paused) must not hold the customers' locks for long: Postgres
    // ends its session, as Prisma's transaction timeout did.
    idle_in_transaction_session_timeout: 60_000,
    types,
  });
  const once = async <T>(fn: (tx: RawTx) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    let broken: Error | undefined;
    // The pool listens for a connection's errors only while it sits idle: a checked-out connection that breaks
    // (the server restarts, the socket resets) would raise an unhandled 'error'. The statement in flight
    // rejects with it as well; the connection is then dropped instead of returned.
    const onError = (e: Error) => {
      broken = e;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await fn(rawTransactionClient(client));
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch((rollback: Error) => {
        broken = rollback; // the connection is gone or unusable: drop it from the pool
      });
      throw e;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  };
  return {
    async run(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(fn);
        } catch (e) {
          if (attempt >= 5 || !isRetryableConflict(e)) throw e;
          await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
        }
      }
    },
    close: () => pool.end(),
  };
}

/**
 * Runs `fn` in a transaction on `runner` when there is one (a hot path's pg pool), else in a Prisma interactive
 * transaction on `db`: for code whose statements are all raw SQL, and whose callers may or may not have a pool.
 */
export function inTransaction<T>(db: Db, runner: TransactionRunner | undefined, fn: (tx: RawTx) => Promise<T>) {
  return runner ? runner.run(fn) : withTransaction(db, fn);
}
