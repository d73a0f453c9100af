import { rm } from "node:fs/promises";
import { silentLogger } from "@regulars/logger";
import { eventually, startNatsServer, testBus, uniqueNamespace } from "@regulars/testing";
import { afterEach, expect, it } from "vitest";
import { type Bus, connectBus, ensureTopology, keepTopology, missingStreams, publishJson } from "../src/index.ts";

// A NATS server can come back without its store (a lost disk, a wiped volume). Every process keeps running and
// reconnects; without the streams, every publish would be refused and every consumer would wait, until each process
// was restarted. The keeper declares them again.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

const published = (bus: Bus) =>
  publishJson(bus.js, bus.topology.subjects.event("tn_keeper", "visit"), { at: Date.now() }, `m-${Math.random()}`);

it("declares the streams again when the server comes back without its store, without a restart", async () => {
  const server = await startNatsServer();
  cleanups.push(() => server.dispose());
  const bus = await connectBus({ url: server.url, namespace: uniqueNamespace() });
  cleanups.push(() => bus.close());
  await ensureTopology(bus);
  // Only a reconnect can bring it to look here: the periodic look is an hour away.
  const keeper = keepTopology(bus, {}, { log: silentLogger, intervalMs: 3_600_000 });
  cleanups.push(() => keeper.stop());
  expect((await published(bus)).seq).toBe(1);

  await server.kill();
  await rm(server.storeDir, { recursive: true, force: true });
  await server.start();

  await eventually("the streams declared again", async () =>
    (await missingStreams(bus)).length === 0 ? true : undefined,
  );
  // A new stream: numbered from 1 again (the ledger tells it from the old one by its creation time).
  expect((await published(bus)).seq).toBe(1);
  const consumers = await bus.jsm.consumers.list(bus.topology.streams.events).next();
  expect(consumers.map((c) => c.name)).toContain(bus.topology.consumers.eventResolver);
});

it("declares a deleted stream again at its next look, and leaves streams that exist alone", async () => {
  const bus = await testBus();
  cleanups.push(() => bus.dispose());
  const { events, transactions } = bus.topology.streams;
  const createdBefore = (await bus.jsm.streams.info(transactions)).created;
  const keeper = keepTopology(bus, {}, { log: silentLogger, intervalMs: 200 });
  cleanups.push(() => keeper.stop());
  await bus.jsm.streams.delete(events);
  expect(await missingStreams(bus)).toEqual([events]);
  await eventually("the events stream declared again", async () =>
    (await missingStreams(bus)).length === 0 ? true : undefined,
  );
  expect((await bus.jsm.streams.info(transactions)).created).toBe(createdBefore);
});
