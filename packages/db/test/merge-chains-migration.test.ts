import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testDatabaseUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listMigrations, migrateDatabase } from "../src/index.ts";
import { uniqueId } from "./fixtures.ts";

const flattening = "0038_customer_merges_last_survivor";

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

/** A database of its own, migrated up to the migration before `flattening`. */
async function databaseBeforeFlattening() {
  const name = uniqueId("regulars_merge_chains").toLowerCase();
  await admin.query(`CREATE DATABASE ${name}`);
  cleanups.push(() => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const dir = await mkdtemp(join(tmpdir(), "regulars-migrations-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  for (const m of (await listMigrations()).filter((m) => m.name < flattening)) {
    await mkdir(join(dir, m.name));
    await writeFile(join(dir, m.name, "migration.sql"), m.sql);
  }
  await migrateDatabase(url.toString(), () => {}, dir);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  cleanups.push(() => client.end());
  return { url: url.toString(), client };
}

describe(`migration ${flattening}`, () => {
  it("points every recorded merge at the last survivor of its chain, keeping whom it merged into", async () => {
    const { url, client } = await databaseBeforeFlattening();
    await client.query("INSERT INTO tenants (id, name, timezone, currency) VALUES ('ten_1', 'Chains', 'UTC', 'EUR')");
    const ids = ["till", "phone_only", "app", "later_app", "single_till", "single_app"];
    await client.query(
      "INSERT INTO customers (id, tenant_id, created_via) SELECT id, 'ten_1', 'pos' FROM unnest($1::text[]) id",
      [ids],
    );
    // till -> phone_only -> app -> later_app, recorded as a chain; and a merge of its own.
    await client.query(
      `INSERT INTO customer_merges (merged_id, tenant_id, into_id, merged_at, moved)
       SELECT merged_id, 'ten_1', into_id, now() - make_interval(days => days), jsonb_build_object('points', days)
       FROM unnest($1::text[], $2::text[], $3::int[]) AS x(merged_id, into_id, days)`,
      [
        ["till", "phone_only", "app", "single_till"],
        ["phone_only", "app", "later_app", "single_app"],
        [30, 20, 10, 5],
      ],
    );

    expect((await migrateDatabase(url)).applied).toContain(flattening);

    const { rows } = await client.query(
      "SELECT merged_id, into_id, original_into_id, moved FROM customer_merges ORDER BY merged_id",
    );
    expect(rows).toEqual([
      { merged_id: "app", into_id: "later_app", original_into_id: null, moved: { points: 10 } },
      { merged_id: "phone_only", into_id: "later_app", original_into_id: "app", moved: { points: 20 } },
      { merged_id: "single_till", into_id: "single_app", original_into_id: null, moved: { points: 5 } },
      { merged_id: "till", into_id: "later_app", original_into_id: "phone_only", moved: { points: 30 } },
    ]);
  });
});
