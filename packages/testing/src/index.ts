import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Analytics, createAnalytics } from "@regulars/analytics";
import { type Bus, connectBus, ensureTopology, type TopologyOptions } from "@regulars/bus";
import {
  createDb,
  createPoolReader,
  type Db,
  migrateDatabase,
  type PoolReader,
  type PoolReaderOptions,
} from "@regulars/db";
import { type CreatedTenant, createTenant } from "@regulars/tenancy";
import pg from "pg";
import { inject } from "vitest";
import "./provided.ts";

export { withEmptyFetches } from "./empty-fetches.ts";

export const testDatabaseUrl = (): string => inject("databaseUrl");
export const testNatsUrl = (): string => inject("natsUrl");

const suffix = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;

/** A bus namespace no other test file (or earlier run) uses: its own streams and consumers. */
export const uniqueNamespace = (): string => `t${suffix()}`;

export function testDb(): Db {
  return createDb({ url: testDatabaseUrl(), poolSize: 4 });
}

export interface PrivateTestDatabase {
  url: string;
  db: Db;
  /** Disconnects `db` and drops the database, whoever else is still connected to it. */
  drop(): Promise<void>;
}

/**
 * A migrated database of its own on the test run's server, made as the global setup makes the shared one. For a test
 * that takes table locks or otherwise stalls a database: done in the shared one, it would stall every test file
 * running beside it. Drop it after the test (`afterAll`).
 */
export async function privateTestDatabase(): Promise<PrivateTestDatabase> {
  const name = `regulars_private_${suffix()}`;
  const onServer = (sql: string) => withServerClient((c) => c.query(sql));
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${name}`;
  const dropDatabase = () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).then(() => undefined);
  try {
    await migrateDatabase(url.toString());
  } catch (e) {
    await dropDatabase();
    throw e;
  }
  const db = createDb({ url: url.toString(), poolSize: 4 });
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.$disconnect();
      await dropDatabase();
    },
  };
}

/** A connection to the shared test database, only to create and drop others on its server. */
async function withServerClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A pool reader of the test database with its connections open, as the gateway opens its own at start (`warm`).
 * A cold one opens them on the first requests, within a connect bound of wall time that a busy machine outlasts:
 * the gateway's look-ups then fail their first requests 503 while Postgres is fine, and tests flake.
 */
export async function testPoolReader(opts: Omit<PoolReaderOptions, "url"> = {}): Promise<PoolReader> {
  const reader = createPoolReader({ url: testDatabaseUrl(), ...opts });
  await reader.warm().catch(async (err) => {
    await reader.close();
    throw err;
  });
  return reader;
}

export async function testTenant(
  db: Db,
  name = "Test Burgers",
  timezone = "Europe/Warsaw",
  currency = "EUR",
): Promise<CreatedTenant> {
  return createTenant(db, { name: `${name} ${suffix()}`, timezone, currency }, "test");
}

/** A bus with its own namespace; `dispose` deletes the streams it created. */
export async function testBus(
  opts: TopologyOptions & { namespace?: string } = {},
): Promise<Bus & { dispose(): Promise<void> }> {
  const bus = await connectBus({
    url: testNatsUrl(),
    namespace: opts.namespace ?? uniqueNamespace(),
    name: "regulars-test",
  });
  await ensureTopology(bus, { ackWaitMs: 2_000, ...opts });
  return Object.assign(bus, {
    async dispose() {
      await deleteStreams(bus);
      await bus.close();
    },
  });
}

export async function deleteStreams(bus: Bus): Promise<void> {
  for (const name of Object.values(bus.topology.streams)) await bus.jsm.streams.delete(name).catch(() => {});
}

/** chdb in a temporary folder with a database of its own (one chdb folder per test process). */
export async function testAnalytics(): Promise<Analytics & { dispose(): Promise<void> }> {
  const path = mkdtempSync(join(tmpdir(), "regulars-test-ch-"));
  const analytics = await createAnalytics({ kind: "chdb", path, database: `t_${suffix()}` });
  await analytics.migrate();
  return Object.assign(analytics, {
    async dispose() {
      await analytics.close();
      await rm(path, { recursive: true, force: true });
    },
  });
}

export { type CliRun, runRegularsCli, type StartedCli, startRegularsCli } from "./cli.ts";
export { type ClickHouseHttpServer, startClickHouseHttpServer } from "./clickhouse-http.ts";
export { restartCustomerKeys, restartingBefore } from "./customer-keys-restart.ts";
export { eventually } from "./eventually.ts";
export { type HeldTransaction, holdTransaction, raceWithHeldTransaction } from "./held-transaction.ts";
export { signalAndWait, spawnWithLifeline } from "./lifeline.ts";
export {
  type NatsCluster,
  type NatsClusterNode,
  type NatsTestServer,
  startNatsCluster,
  startNatsServer,
} from "./nats-cluster.ts";
export { type PlanNode, queryPlan } from "./query-plan.ts";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";
export * from "./time.ts";
export { postedTransaction, saleBody } from "./transactions.ts";
