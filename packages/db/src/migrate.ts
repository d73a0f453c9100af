import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";

/**
 * Applies the SQL migrations in prisma/migrations (Prisma's folder layout) in name order. We run them
 * ourselves because the Prisma CLI needs a native engine that cannot be downloaded here; each script
 * goes to Postgres whole, in one transaction, so functions and triggers survive intact.
 * An advisory lock lets several processes start at once; a changed, already-applied file is an error.
 */
const migrationsDir = fileURLToPath(new URL("../prisma/migrations/", import.meta.url));
const lockKey = 746_582_391;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function listMigrations(): Promise<{ name: string; sql: string; checksum: string }[]> {
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(`${migrationsDir}${name}/migration.sql`, "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export async function migrateDatabase(url: string, log: (msg: string) => void = () => {}): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [lockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS _regulars_migrations (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map(
      (
        await client.query<{ name: string; checksum: string }>("SELECT name, checksum FROM _regulars_migrations")
      ).rows.map((r) => [r.name, r.checksum]),
    );
    const result: MigrationResult = { applied: [], alreadyApplied: [] };
    for (const m of await listMigrations()) {
      const previous = done.get(m.name);
      if (previous) {
        if (previous !== m.checksum)
          throw new Error(`migration ${m.name} was changed after it was applied; add a new migration instead`);
        result.alreadyApplied.push(m.name);
        continue;
      }
      log(`applying migration ${m.name}`);
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO _regulars_migrations (name, checksum) VALUES ($1, $2)", [m.name, m.checksum]);
        await client.query("COMMIT");
      } catch (e) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`);
      }
      result.applied.push(m.name);
    }
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [lockKey]).catch(() => {});
    await client.end();
  }
}
