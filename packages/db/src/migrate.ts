import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";

/**
 * Applies the SQL migrations in prisma/migrations (Prisma's folder layout) in name order. We run them
 * ourselves because the Prisma CLI needs a native engine that cannot be downloaded here; each script
 * goes to Postgres whole, in one transaction, so functions and triggers survive intact.
 * An advisory lock lets several processes start at once; a changed, already-applied file is an error.
 *
 * A migration whose comment header holds `regulars:no-transaction` runs statement by statement outside a
 * transaction instead, for `CREATE INDEX CONCURRENTLY`: built inside a transaction, an index blocks every write
 * to its table while it builds, which on a table of years stalls the ledger for minutes. Such a migration holds
 * plain statements only (no function bodies), each idempotent (`IF NOT EXISTS`, `IF EXISTS`), because a run
 * that stops half-way runs again from its first statement; an index that an interrupted concurrent build left
 * invalid is dropped first, so `IF NOT EXISTS` does not pass over it.
 */
const migrationsDir = fileURLToPath(new URL("../prisma/migrations/", import.meta.url));
const lockKey = 746_582_391;
const noTransactionMarker = /\bregulars:no-transaction\b/;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function listMigrations(dir = migrationsDir): Promise<Migration[]> {
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

/** Whether the migration runs outside a transaction: a comment line of its header (before any statement) says so. */
export function runsOutsideTransaction(sql: string): boolean {
  for (const line of sql.split("\n")) {
    const text = line.trim();
    if (text === "") continue;
    if (!text.startsWith("--")) return false;
    if (noTransactionMarker.test(text)) return true;
  }
  return false;
}

/** The statements of a no-transaction migration: comment lines dropped, split at each `;` that ends a line. */
export function splitStatements(sql: string): string[] {
  return sql
    .split("\n")
    .filter((line) => !line.trim().startsWith("--"))
    .join("\n")
    .split(/;[ \t]*$/m)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The indexes a statement builds concurrently, by name. */
const concurrentIndexName = /^CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+IF\s+NOT\s+EXISTS\s+("?)([\w$]+)\1/i;

export async function migrateDatabase(
  url: string,
  log: (msg: string) => void = () => {},
  dir = migrationsDir,
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await takeLock(client);
    await client.query(`CREATE TABLE IF NOT EXISTS _regulars_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (
        await client.query<{ name: string; checksum: string }>("SELECT name, checksum FROM _regulars_migrations")
      ).rows.map((r) => [r.name, r.checksum]),
    );
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of await listMigrations(dir)) {
      const previous = done.get(m.name);
      if (previous) {
        if (previous !== m.checksum)
          throw new Error(`migration ${m.name} was changed after it was applied; add a new migration instead`);
        result.alreadyApplied.push(m.name);
        continue;
      }
      log(`applying migration ${m.name}${runsOutsideTransaction(m.sql) ? " (outside a transaction)" : ""}`);
      if (runsOutsideTransaction(m.sql)) await applyOutsideTransaction(client, m);
      else await applyInTransaction(client, m);
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [lockKey]).catch(() => {});
    await client.end();
  }
}

/**
 * Waits for the migration lock by trying it now and then rather than in one blocking call: a session blocked in
 * `pg_advisory_lock` holds a snapshot, and `CREATE INDEX CONCURRENTLY` in the session holding the lock waits for
 * every older snapshot of the database, so the two would wait for each other.
 */
async function takeLock(client: pg.Client): Promise<void> {
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [lockKey]);
    if (rows[0]?.locked) return;
    await sleep(100);
  }
}

async function applyInTransaction(client: pg.Client, m: Migration): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(m.sql);
    await record(client, m);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK");
    throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
  }
}

async function applyOutsideTransaction(client: pg.Client, m: Migration): Promise<void> {
  const statements = splitStatements(m.sql);
  try {
    const building = statements.map((s) => concurrentIndexName.exec(s)?.[2]).filter((n): n is string => !!n);
    if (building.length) await dropInvalidIndexes(client, building);
    for (const statement of statements) await client.query(statement);
    await record(client, m);
  } catch (e) {
    throw new Error(
      `migration ${m.name} failed: ${(e as Error).message} (it ran outside a transaction: the statements before ` +
        "the one that failed stay applied, and the next start runs it again from its first statement)",
    );
  }
}

/** A concurrent build that was interrupted leaves its index behind, invalid: unused by reads, still paid for by writes. */
async function dropInvalidIndexes(client: pg.Client, names: string[]): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE NOT i.indisvalid AND c.relname = ANY($1::text[]) AND pg_table_is_visible(c.oid)`,
    [names],
  );
  for (const { name } of rows) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS "${name}"`);
}

async function record(client: pg.Client, m: Migration): Promise<void> {
  await client.query("INSERT INTO _regulars_migrations (name, checksum) VALUES ($1, $2)", [m.name, m.checksum]);
}
