import { createLogger } from "@regulars/logger";
import { eventually, type NatsCluster, startNatsCluster, uniqueNamespace } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Bus, connectBus, ensureTopology, PartitionReaders, publishJson } from "../src/index.ts";

// A partition is read through an ordered consumer: an ephemeral consumer with one replica, on one node.
// When that node dies, the partition must go on being read from the nodes left (the stream has three
// replicas), not wait for the node to come back.

let cluster: NatsCluster;
let bus: Bus;
let readerBus: Bus;
let readers: PartitionReaders | null = null;

beforeAll(async () => {
  cluster = await startNatsCluster();
  const namespace = uniqueNamespace();
  bus = await connectBus({ url: cluster.url, namespace, name: "regulars-test" });
  await ensureTopology(bus, { replicas: 3 });
  await cluster.waitForStreams(bus, [bus.topology.streams.transactions], 3);
  readerBus = await connectBus({ url: cluster.url, namespace, name: "regulars-test-reader" });
});
afterAll(async () => {
  await readers?.close();
  await readerBus?.close().catch(() => {});
  await bus?.close().catch(() => {});
  await cluster?.dispose();
});

// Generous: the read below gives up after 60 s with a message naming what stalled, which beats the test's own timeout.
it("a partition whose ordered consumer's node dies is read on from the other nodes", { timeout: 150_000 }, async () => {
  const partitions = [0, 1, 2, 3, 4, 5];
  const stream = bus.topology.streams.transactions;
  let n = 0;
  const publish = async (count: number) => {
    for (let i = 0; i < count; i++, n++) {
      const subject = bus.topology.subjects.transaction("tn_a", "store-1", n % partitions.length);
      await eventually("a publish", async () => publishJson(bus.js, subject, { n }, `m-${n}`));
    }
  };
  await publish(60);
  // The readers' warnings are kept and attached to a failure: which partition stalled, and on what.
  const warnings: string[] = [];
  const r = new PartitionReaders({
    bus: readerBus,
    stream,
    filterOf: bus.topology.subjects.transactionPartition,
    highWater: 10_000,
    log: createLogger({ level: "warn", destination: { write: (line: string) => warnings.push(line) } }),
  });
  readers = r;
  for (const p of partitions) r.start(p, 1);
  const read: number[] = [];
  /** Takes what was read; true once everything published was. */
  const allRead = async () => {
    for (const m of r.take(10_000)) read.push(JSON.parse(m.payload).n);
    return read.length >= n ? true : undefined;
  };
  await eventually("the first messages read", allRead);

  // The node holding most of the readers' consumers, preferably not the stream's leader (publishing goes on without
  // an election). Ordered consumers are placed by the servers: now and then all six land on the leader, and then the
  // leader is the one to die (the two left elect another, and the publishes retry until it answers).
  const leader = await cluster.streamLeader(bus, stream);
  const victim = await eventually("the readers' consumers placed", async () => {
    const hosts = new Map<string, number>();
    for await (const c of await bus.jsm.consumers.list(stream)) {
      const host = c.cluster?.leader; // the stream has no durable consumer: these are the readers'
      if (host) hosts.set(host, (hosts.get(host) ?? 0) + 1);
    }
    const byPreference = [...hosts.entries()].sort(
      ([a, an], [b, bn]) => Number(a === leader) - Number(b === leader) || bn - an,
    );
    return byPreference[0]?.[0];
  });
  await cluster.node(victim).kill();

  await publish(60);
  const started = Date.now();
  await eventually("every message read with the node still down", allRead, 60_000, 200).catch((e: Error) => {
    const missing = partitions.map((p) => {
      const published = Array.from({ length: n }, (_, i) => i).filter((i) => i % partitions.length === p).length;
      return `partition ${p}: ${read.filter((x) => x % partitions.length === p).length} of ${published}`;
    });
    throw new Error(
      `${e.message} after ${Date.now() - started} ms (node ${victim} killed, stream leader ${leader})\n` +
        `${missing.join("\n")}\nreader warnings:\n${warnings.slice(-20).join("")}\n` +
        `nodes' output:\n${cluster.nodes.map((node) => `${node.name}: ${node.output().slice(-1500)}`).join("\n")}`,
    );
  });
  expect(cluster.node(victim).running).toBe(false);
  // Each partition in stream order, nothing twice.
  for (const p of partitions) {
    const mine = read.filter((x) => x % partitions.length === p);
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
  }
  expect(new Set(read).size).toBe(n);
  expect(read.length).toBe(n);
});
