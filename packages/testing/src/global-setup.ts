import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateDatabase } from "@regulars/db";
import { ensureLocalNats, startEmbeddedPostgres } from "@regulars/embedded";
import pg from "pg";
import type { TestProject } from "vitest/node";

import "./provided.ts";

/**
 * Once per test run: a fresh Postgres database (on TEST_POSTGRES_URL's server, the local server, or an
 * embedded one when neither answers) with every migration applied, and a NATS server with JetStream.
 * Test files isolate themselves further with their own tenants, bus namespaces and ClickHouse databases.
 */
export default async function setup(project: TestProject) {
  const cleanups: (() => Promise<void>)[] = [];
  const adminUrl = process.env.TEST_POSTGRES_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
  let serverUrl = adminUrl;
  if (!(await answers(adminUrl))) {
    const dataDir = await mkdtemp(join(tmpdir(), "regulars-test-pg-"));
    const embedded = await startEmbeddedPostgres({ dataDir, port: 54400 + Math.floor(Math.random() * 500) });
    serverUrl = embedded.url;
    cleanups.push(async () => {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
  }
  const name = `regulars_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await migrateDatabase(databaseUrl);
  cleanups.push(() =>
    withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  );

  let natsUrl = process.env.TEST_NATS_URL ?? process.env.NATS_URL;
  if (!natsUrl) {
    const dataDir = await mkdtemp(join(tmpdir(), "regulars-test-nats-"));
    const nats = await ensureLocalNats({ dataDir });
    natsUrl = nats.url;
    cleanups.push(async () => {
      await nats.stop();
      await rm(dataDir, { recursive: true, force: true });
    });
  }

  project.provide("databaseUrl", databaseUrl);
  project.provide("natsUrl", natsUrl);
  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    await withClient(url, (c) => c.query("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
