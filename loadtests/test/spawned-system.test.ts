import { existsSync } from "node:fs";
import { connectBus } from "@regulars/bus";
import { testDatabaseUrl, testNatsUrl } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBasketFactory, newRunId } from "../src/baskets.ts";
import { measureHttpCeiling } from "../src/http-ceiling.ts";
import { postgresLedgerProgress, workerMetricsLedgerProgress } from "../src/ledger-progress.ts";
import { demoMenu } from "../src/menu.ts";
import { isAlive } from "../src/running-system.ts";
import { type SpawnedSystem, spawnSystem } from "../src/spawn-system.ts";
import { postTransaction, readBalance } from "../src/visibility.ts";

/**
 * What `--spawn` starts: each role in a process of its own over a database and namespace of the bench's,
 * all of it gone afterwards. Real processes, real Postgres and NATS.
 */
let system: SpawnedSystem;
const nextBasket = createBasketFactory({ menu: demoMenu, customerShare: 1 });
const runId = newRunId();

beforeAll(async () => {
  system = await spawnSystem({
    ledgerWorkers: 1,
    api: true,
    postgresUrl: testDatabaseUrl(),
    natsUrl: testNatsUrl(),
    log: () => {},
  });
}, 180_000);
afterAll(() => system?.stop());

const databaseExists = async (url: string) => {
  const client = new pg.Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    const name = new URL(url).pathname.slice(1);
    return (await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])).rowCount === 1;
  } finally {
    await client.end();
  }
};

describe("a spawned system", () => {
  it("runs the gateway, a ledger worker and the API in processes of their own, for a tenant of its own", async () => {
    const pids = [system.gateway.pid, ...system.workers.map((w) => w.pid), system.api!.pid];
    expect(new Set([...pids, process.pid]).size).toBe(4);
    expect(pids.every(isAlive)).toBe(true);

    const ledger = await postgresLedgerProgress(system.databaseUrl, system.tenantId);
    const bus = await connectBus({ url: system.natsUrl, namespace: system.namespace, name: "loadtests-test" });
    const counters = workerMetricsLedgerProgress({
      metricsUrls: () => system.ledgerMetricsUrls,
      stored: async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq,
      close: () => bus.close(),
    });
    expect(system.ledgerMetricsUrls).toHaveLength(1);
    try {
      const basket = nextBasket(`spawn-${runId}-1`);
      expect(await postTransaction(system.gatewayUrl, system.keys.pos, basket)).toBe(202);
      // The ledger worker applies it: counted in Postgres and by the worker's own counter (the bench's progress),
      // and its points readable through tRPC.
      await expect.poll(() => ledger.owed(1), { timeout: 60_000, interval: 200 }).toBe(0);
      await expect.poll(() => counters.owed(1), { timeout: 10_000, interval: 200 }).toBe(0);
      const balance = await readBalance(system.apiUrl!, system.keys.admin, [basket.customer!.phone]);
      expect(balance.get(basket.customer!.phone)).toBeGreaterThan(0);
    } finally {
      await ledger.close();
      await counters.close();
    }
  }, 120_000);

  it("stops every process and removes its database and folder", async () => {
    const pids = [system.gateway.pid, ...system.workers.map((w) => w.pid), system.api!.pid];
    await system.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(await databaseExists(system.databaseUrl)).toBe(false);
    expect(existsSync(system.dataDir)).toBe(false);
  }, 120_000);
});

describe("the HTTP ceiling reference", () => {
  it("answers 202 from a process of its own, which is gone afterwards", async () => {
    const result = await measureHttpCeiling({
      connections: 2,
      durationSec: 1,
      nextBody: () => JSON.stringify(nextBasket(`ceiling-${runId}`)),
      signal: new AbortController().signal,
    });
    expect(Object.keys(result.load.statuses)).toEqual(["202"]);
    expect(result.perSec).toBeGreaterThan(0);
    expect(result.memory?.pid).toBeGreaterThan(0);
    expect(isAlive(result.memory!.pid)).toBe(false);
  }, 60_000);
});
