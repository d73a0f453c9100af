import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;

export interface DbOptions {
  url: string;
  /** Connections in this process's pool; the ledger worker wants a few, the CLI one. */
  poolSize?: number;
}

/**
 * How long a pooled connection may sit idle before it is closed. pg closes idle connections after 10 s by
 * default; a server then opens new ones for every burst above its steady need, and a new Postgres backend
 * starts with cold catalog caches and no prepared statements, so its first statements take tens to hundreds
 * of milliseconds (measured: checkout quote p99 at 200/s went from 31-189 ms to 12-18 ms once connections stayed).
 * Servers keep their few connections; a closed one (server restart, idle_session_timeout) is replaced.
 */
export const idleConnectionMs = 10 * 60_000;

/**
 * A pg pool of a hot path's own, beside the process's Prisma client: connections kept (see `idleConnectionMs`),
 * the process free to exit while they idle, and an idle connection's error (the server restarted) not fatal; the
 * next query reconnects.
 */
export function ownPool(config: pg.PoolConfig & { connectionString: string; max: number }): pg.Pool {
  const pool = new pg.Pool({ idleTimeoutMillis: idleConnectionMs, allowExitOnIdle: true, ...config });
  pool.on("error", () => {});
  return pool;
}

/** The only way code gets a database handle; the URL comes from the app's validated config. */
export function createDb(opts: DbOptions): Db {
  const adapter = new PrismaPg({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    idleTimeoutMillis: idleConnectionMs,
    // A CLI command or a script that forgets to disconnect still exits: idle connections do not hold it.
    allowExitOnIdle: true,
  });
  // A transaction waits up to 10 s for a pooled connection (Prisma's default is 2 s): under a burst every connection
  // may be busy for a moment, and waiting beats refusing the request.
  return new PrismaClient({ adapter, transactionOptions: { maxWait: 10_000 } });
}

/**
 * Money and points are bigint columns; the API and the engine use JavaScript numbers, exact below 2^53.
 * Contract bounds (10^12 minor units or points per transaction) keep every balance far below that, and
 * this conversion refuses rather than rounds should one ever get there.
 */
export function exactNumber(value: bigint | number | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is not an exact integer below 2^53`);
  return n;
}
