import { resolveDataDir, startEmbeddedPostgres } from "@regulars/embedded";
import pg from "pg";

/** One short connection for what the benches do around their run: create and drop their own database. */
export async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export interface ScratchDatabase {
  /** The new database's URL. */
  url: string;
  /** Drops the database, then stops the embedded server if one was started. */
  drop(): Promise<void>;
}

/**
 * A database of a bench's own, dropped at the end: on DATABASE_URL's server, else on an embedded Postgres
 * started for the run, so a running system is untouched.
 */
export async function scratchDatabase(log: (msg: string) => void): Promise<ScratchDatabase> {
  const embedded = process.env.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir: resolveDataDir(), log });
  const serverUrl = process.env.DATABASE_URL ?? embedded!.url;
  const dbName = `regulars_bench_${Date.now().toString(36)}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(serverUrl);
  url.pathname = `/${dbName}`;
  return {
    url: url.toString(),
    async drop() {
      await withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
      await embedded?.stop();
    },
  };
}
