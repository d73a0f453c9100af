import { connectBus } from "@regulars/bus";
import { testDatabaseUrl } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createBasketFactory, newRunId } from "../src/baskets.ts";
import { postgresLedgerProgress } from "../src/ledger-progress.ts";
import { demoMenu } from "../src/menu.ts";
import { isAlive } from "../src/running-system.ts";
import { natsDescription, natsProcesses, type SpawnedSystem, spawnSystem } from "../src/spawn-system.ts";
import { postTransaction } from "../src/visibility.ts";

/**
 * `--spawn --nats-cluster 3`: the roles run against a JetStream cluster of three nats-server processes the bench
 * starts, their streams replicated on all three as in production, and the bench watches each node's CPU and memory.
 */
let system: SpawnedSystem;

beforeAll(async () => {
  system = await spawnSystem({
    ledgerWorkers: 1,
    api: false,
    postgresUrl: testDatabaseUrl(),
    natsCluster: 3,
    log: () => {},
  });
}, 180_000);
afterAll(() => system?.stop());

it("runs the roles on a cluster of three nodes with replicated streams, and stops the nodes with the rest", async () => {
  expect(system.natsNodes).toHaveLength(3);
  expect(system.natsUrl.split(",")).toHaveLength(3);
  const nodes = natsProcesses(system);
  expect(nodes.map((n) => n.name)).toEqual(["nats-1", "nats-2", "nats-3"]);
  expect(new Set(nodes.map((n) => n.pid)).size).toBe(3);
  expect(natsDescription(system)).toBe(", a JetStream cluster of 3 nodes (streams with 3 replicas)");

  const bus = await connectBus({ url: system.natsUrl, namespace: system.namespace, name: "loadtests-cluster-test" });
  const ledger = await postgresLedgerProgress(system.databaseUrl, system.tenantId);
  try {
    const info = await bus.jsm.streams.info(bus.topology.streams.transactions);
    expect(info.config.num_replicas).toBe(3);

    const basket = createBasketFactory({ menu: demoMenu, customerShare: 1 })(`cluster-${newRunId()}`);
    expect(await postTransaction(system.gatewayUrl, system.keys.pos, basket)).toBe(202);
    await expect.poll(() => ledger.owed(1), { timeout: 60_000, interval: 200 }).toBe(0);
  } finally {
    await ledger.close();
    await bus.close();
  }

  await system.stop();
  expect(nodes.map((n) => n.pid).filter(isAlive)).toEqual([]);
}, 180_000);
