import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import type { ClickHouseClient } from "@clickhouse/client";
import { assertIdentifier } from "./config.ts";

/** A schema step from `migrations/NNNN_name.sql`; `{db}` in its text stands for the database name. */
export interface Migration {
  version: number;
  name: string; // file name without `.sql`, e.g. "0001_init"
  checksum: string;
  sql: string;
}

/** Raised when an applied migration's file no longer matches what was run: history must not be rewritten. */
export class MigrationChecksumError extends Error {
  constructor(
    readonly migration: string,
    readonly database: string,
    readonly recordedChecksum: string,
    readonly fileChecksum: string,
  ) {
    super(
      `Migration ${migration} was changed after it was applied to database ${database} ` +
        `(recorded checksum ${recordedChecksum}, file now ${fileChecksum}). ` +
        `Applied migrations are immutable: restore the file and add a new migration for the change.`,
    );
    this.name = "MigrationChecksumError";
  }
}

export const defaultMigrationsFolder = new URL("../migrations/", import.meta.url);

const migrationFileName = /^(\d+)_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(folder: URL = defaultMigrationsFolder): Promise<Migration[]> {
  const files = (await readdir(folder)).filter((file) => migrationFileName.test(file)).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    // Line endings are normalised so a Windows checkout (autocrlf) does not look like a tampered file.
    const sql = (await readFile(new URL(file, folder), "utf8")).replace(/\r\n/g, "\n");
    const version = Number(migrationFileName.exec(file)![1]);
    if (migrations.some((m) => m.version === version)) {
      throw new Error(`Two migrations share version ${version} in ${folder.pathname}`);
    }
    const checksum = createHash("sha256").update(sql).digest("hex");
    migrations.push({ version, name: file.slice(0, -".sql".length), checksum, sql });
  }
  return migrations;
}

/**
 * One statement per request: the HTTP interface refuses multi-statement queries (chdb happens to
 * accept them, so this must not be relied on in dev). Splitting on a `;` that ends a line is safe
 * because migrations hold no function bodies; comment lines go first so a `;` in prose cannot split.
 */
export function splitStatements(sql: string, database: string): string[] {
  const db = assertIdentifier(database);
  return sql
    .split("\n")
    .filter((line) => !line.trimStart().startsWith("--"))
    .join("\n")
    .split(/;[ \t]*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0)
    .map((statement) => statement.replaceAll("{db}", db));
}

interface AppliedMigration {
  version: number;
  name: string;
  checksum: string;
}

/**
 * Creates the database and the ledger table, checks every applied migration against its file, then
 * applies the pending ones in version order, recording each right after it succeeds. Two processes
 * migrating at once may both run a step; the IF NOT EXISTS in every statement makes that harmless.
 * A recorded version with no file here is left alone: during a rolling deploy a newer release may
 * already have applied it.
 */
export async function applyMigrations(
  client: ClickHouseClient,
  database: string,
  folder: URL = defaultMigrationsFolder,
): Promise<{ applied: string[] }> {
  const db = assertIdentifier(database);
  const migrations = await loadMigrations(folder);
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations
      (version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = MergeTree ORDER BY version`,
  });
  const result = await client.query({
    query: `SELECT version, name, checksum FROM ${db}.schema_migrations ORDER BY version`,
    format: "JSONEachRow",
  });
  const applied = new Map((await result.json<AppliedMigration>()).map((row) => [Number(row.version), row]));

  for (const migration of migrations) {
    const record = applied.get(migration.version);
    if (record && record.checksum !== migration.checksum) {
      throw new MigrationChecksumError(migration.name, db, record.checksum, migration.checksum);
    }
  }

  const appliedNow: string[] = [];
  for (const migration of migrations.filter((m) => !applied.has(m.version))) {
    const statements = splitStatements(migration.sql, db);
    for (const [index, statement] of statements.entries()) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new Error(
          `Migration ${migration.name} failed at statement ${index + 1} of ${statements.length}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    await client.insert({
      table: `${db}.schema_migrations`,
      values: [{ version: migration.version, name: migration.name, checksum: migration.checksum }],
      format: "JSONEachRow",
    });
    appliedNow.push(migration.name);
  }
  return { applied: appliedNow };
}
