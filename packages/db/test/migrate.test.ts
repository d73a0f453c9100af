import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations, migrateDatabase } from "../src/index.ts";
import { runsOutsideTransaction, splitStatements } from "../src/migrate.ts";
import { uniqueId } from "./fixtures.ts";

let admin: pg.Client;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: testDatabaseUrl() });
  await admin.connect();
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await admin?.end();
});

/** A database of its own and a folder of migrations, each file given as [name, sql]. */
async function scratch(migrations: [string, string][]) {
  const name = uniqueId("regulars_migrate").toLowerCase();
  await admin.query(`CREATE DATABASE ${name}`);
  cleanups.push(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const dir = await mkdtemp(join(tmpdir(), "regulars-migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const [migration, sql] of migrations) {
    await mkdir(join(dir, migration));
    await writeFile(join(dir, migration, "migration.sql"), sql);
  }
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  cleanups.push(() => client.end());
  return { url: url.toString(), dir, client };
}

const indexValid = async (client: pg.Client, name: string) =>
  (
    await client.query<{ valid: boolean }>(
      "SELECT i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = $1",
      [name],
    )
  ).rows[0]?.valid ?? null;

const table = `CREATE TABLE visits (id serial PRIMARY KEY, customer text NOT NULL);
INSERT INTO visits (customer) SELECT 'c' || g FROM generate_series(1, 1000) g;`;
const concurrently = `-- regulars:no-transaction
-- Built without blocking writes to visits.
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS visits_customer_idx ON visits (customer);
-- The old one goes.
DROP INDEX CONCURRENTLY IF EXISTS visits_nothing_idx;
`;

describe("migrations outside a transaction", () => {
  it("knows them by their header and splits them into statements", () => {
    expect(runsOutsideTransaction(concurrently)).toBe(true);
    expect(runsOutsideTransaction(table)).toBe(false);
    // The marker counts in the header only, not in a comment further down.
    expect(runsOutsideTransaction(`CREATE TABLE t (a int);\n-- regulars:no-transaction\n`)).toBe(false);
    expect(splitStatements(concurrently)).toEqual([
      "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS visits_customer_idx ON visits (customer)",
      "DROP INDEX CONCURRENTLY IF EXISTS visits_nothing_idx",
    ]);
  });

  it("builds an index concurrently (which Postgres refuses inside a transaction) and records the migration", async () => {
    const { url, dir, client } = await scratch([
      ["0001_visits", table],
      ["0002_visits_by_customer", concurrently],
    ]);
    expect(await migrateDatabase(url, () => {}, dir)).toEqual({
      applied: ["0001_visits", "0002_visits_by_customer"],
      alreadyApplied: [],
    });
    expect(await indexValid(client, "visits_customer_idx")).toBe(true);
    expect((await migrateDatabase(url, () => {}, dir)).applied).toEqual([]);
  });

  it("rebuilds an index that an interrupted build left invalid, instead of passing over it", async () => {
    const { url, dir, client } = await scratch([
      ["0001_visits", `${table}\nINSERT INTO visits (customer) VALUES ('c1');`],
      ["0002_visits_by_customer", concurrently],
    ]);
    // The unique build fails on the repeated customer, as a build cut off half-way would: an invalid index stays.
    await expect(migrateDatabase(url, () => {}, dir)).rejects.toThrow(
      /migration 0002_visits_by_customer failed: could not create unique index .*the next start runs it again/,
    );
    expect(await indexValid(client, "visits_customer_idx")).toBe(false);
    const recorded = await client.query("SELECT name FROM _regulars_migrations ORDER BY name");
    expect(recorded.rows.map((r) => r.name)).toEqual(["0001_visits"]);

    await client.query("DELETE FROM visits WHERE id = (SELECT max(id) FROM visits)");
    expect((await migrateDatabase(url, () => {}, dir)).applied).toEqual(["0002_visits_by_customer"]);
    expect(await indexValid(client, "visits_customer_idx")).toBe(true);
  });

  it("migrates once when two processes start together, one of them building an index concurrently", async () => {
    // A process waiting for the migration lock inside one long statement would hold a snapshot that the
    // concurrent build waits for, while it waits for the lock: Postgres would end one of them as a deadlock.
    const { url, dir, client } = await scratch([
      ["0001_visits", table],
      ["0002_visits_by_customer", concurrently],
    ]);
    const results = await Promise.all([migrateDatabase(url, () => {}, dir), migrateDatabase(url, () => {}, dir)]);
    expect(results.map((r) => r.applied.length).sort()).toEqual([0, 2]);
    expect(await indexValid(client, "visits_customer_idx")).toBe(true);
  });

  it("holds each migration of the repository that runs outside a transaction to statements that can run again", async () => {
    const outside = (await listMigrations()).filter((m) => runsOutsideTransaction(m.sql));
    expect(outside.map((m) => m.name)).toContain("0030_transactions_read_by_index");
    for (const m of outside) {
      for (const statement of splitStatements(m.sql)) {
        expect(statement, m.name).toMatch(
          /^(CREATE (UNIQUE )?INDEX CONCURRENTLY IF NOT EXISTS|DROP INDEX CONCURRENTLY IF EXISTS) /,
        );
      }
    }
  });
});
