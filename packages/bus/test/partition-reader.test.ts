import { silentLogger } from "@regulars/logger";
import { eventually, testBus } from "@regulars/testing";
import { afterEach, expect, it } from "vitest";
import { busTopology, PartitionReaders, partitionOf, publishJson, transactionSubject } from "../src/index.ts";

let bus: Awaited<ReturnType<typeof testBus>>;
let disposeBus: (() => Promise<void>) | null = null;
let readers: PartitionReaders | null = null;
afterEach(async () => {
  await readers?.close();
  readers = null;
  await disposeBus?.();
  disposeBus = null;
});

const newReaders = (highWater = 1_000, fetch?: ConstructorParameters<typeof PartitionReaders>[0]["fetch"]) =>
  (readers = new PartitionReaders({
    bus,
    stream: bus.topology.streams.transactions,
    filterOf: bus.topology.subjects.transactionPartition,
    highWater,
    log: silentLogger,
    fetch,
  }));

/** Publishes `n` numbered messages round-robin over partitions 0..3; returns each one's partition and sequence. */
async function publish(n: number, from = 0) {
  const sent: { n: number; partition: number; seq: number }[] = [];
  for (let i = from; i < from + n; i++) {
    const partition = i % 4;
    const subject = bus.topology.subjects.transaction("tn_a", `store-${i % 3}`, partition);
    sent.push({ n: i, partition, seq: (await publishJson(bus.js, subject, { n: i }, `m-${i}`)).seq });
  }
  return sent;
}

it("reads only the partitions asked for, each in stream order, from the sequence asked for", async () => {
  bus = await testBus();
  disposeBus = () => bus.dispose();
  const sent = await publish(40);
  const r = newReaders();
  const p1 = sent.filter((s) => s.partition === 1);
  r.start(1, p1[3]!.seq); // the first three were applied elsewhere already
  r.start(2, 1);
  const want = sent.filter((s) => (s.partition === 1 && s.seq >= p1[3]!.seq) || s.partition === 2);
  await eventually("both partitions read", async () => (r.queue.length === want.length ? true : undefined));
  const taken = r.take(1_000);
  for (const p of [1, 2]) {
    expect(taken.filter((m) => m.partition === p).map((m) => JSON.parse(m.payload).n)).toEqual(
      want.filter((s) => s.partition === p).map((s) => s.n),
    );
  }
  expect(taken.every((m) => m.subject.startsWith(`${bus.topology.namespace}.tx.p0${m.partition}.`))).toBe(true);

  // Messages published later keep coming, in order.
  const later = await publish(8, 40);
  await eventually("later messages read", async () => (r.queue.length === 4 ? true : undefined));
  // In order within each partition; the two partitions' readers interleave as they will.
  const more = r.take(10);
  for (const p of [1, 2])
    expect(more.filter((m) => m.partition === p).map((m) => m.seq)).toEqual(
      later.filter((s) => s.partition === p).map((s) => s.seq),
    );
  expect(more).toHaveLength(4);
  expect(r.backlog()).toBe(0);
});

it("never holds more than its high-water mark however far behind the taker is, and drops a stopped partition's messages", async () => {
  bus = await testBus();
  disposeBus = () => bus.dispose();
  await publish(200);
  const r = newReaders(20);
  for (const p of [0, 1, 2, 3]) r.start(p, 1);
  await eventually("the queue to fill", async () => (r.queue.length >= 20 ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  // Each reader may add what one fetch brought before it waits, never another fetch's worth.
  expect(r.queue.length).toBeLessThan(20 + 4 * 256);
  expect(r.queue.length).toBeGreaterThanOrEqual(20);
  const before = r.queue.length;
  expect(r.backlog()).toBeGreaterThan(0);
  r.stop(3);
  expect(r.queue.some((m) => m.partition === 3)).toBe(false);
  expect(r.partitions()).toEqual([0, 1, 2]);
  expect(r.queue.length).toBeLessThanOrEqual(before);

  // Everything of the remaining partitions arrives, in order, once taken.
  const seen: number[] = [];
  await eventually("every message of partitions 0-2", async () => {
    seen.push(...r.take(1_000).map((m) => JSON.parse(m.payload).n as number));
    return seen.length === 150 ? true : undefined;
  });
  for (const p of [0, 1, 2]) {
    const mine = seen.filter((n) => n % 4 === p);
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
    expect(new Set(mine).size).toBe(50);
  }
});

it("spreads customers over partitions stably: one customer always in one partition, the tenant part of the key", () => {
  const topology = busTopology("shop", 16);
  const sale = (customer: string, externalId: string) => ({
    type: "sale" as const,
    externalId,
    locationId: "store-1",
    customer: { phone: customer },
  });
  const subjects = new Set(
    ["a", "b", "c", "d"].map((x) => transactionSubject(topology, "tn_1", sale("+4915112345678", x)).split(".")[2]),
  );
  expect(subjects.size).toBe(1);
  expect(partitionOf("tn_1", "phone:+4915112345678", 16)).toBe(partitionOf("tn_1", "phone:+4915112345678", 16));
  const spread = new Set(Array.from({ length: 200 }, (_, i) => partitionOf("tn_1", `card:${i}`, 16)));
  expect(spread.size).toBe(16);
  const tenants = Array.from({ length: 50 }, (_, i) => partitionOf(`tn_${i}`, "card:1", 16));
  expect(new Set(tenants).size).toBeGreaterThan(1);
  expect(() => busTopology("shop", 0)).toThrow(RangeError);
});

it("waits for as many messages as asked, or gives up after its time with what there is", async () => {
  bus = await testBus();
  disposeBus = () => bus.dispose();
  const r = newReaders();
  for (const p of [0, 1, 2, 3]) r.start(p, 1);
  await publish(2);
  await r.waitForMessages(60_000, 2); // a test timeout here would mean it never woke up for the second
  expect(r.queue.length).toBe(2);
  const enough = r.waitForMessages(60_000, 5);
  await publish(3, 2);
  await enough;
  expect(r.queue.length).toBe(5);
  await r.waitForMessages(50, 6); // none come: it returns after 50 ms
  expect(r.queue.length).toBe(5);
});

it("takes around busy partitions, leaving every one of their messages in order, and wakes waiters when asked", async () => {
  bus = await testBus();
  disposeBus = () => bus.dispose();
  const sent = await publish(12); // partitions 0..3, three messages each
  const r = newReaders();
  for (const p of [0, 1, 2, 3]) r.start(p, 1);
  await eventually("all read", async () => (r.queue.length === 12 ? true : undefined));

  // Partitions 0 and 2 are in another batch: nothing of theirs is taken, not even past the limit.
  const busy = new Set([0, 2]);
  expect(r.ready(busy)).toBe(6);
  const first = r.take(4, busy);
  expect(first).toHaveLength(4);
  expect(first.filter((m) => busy.has(m.partition))).toEqual([]);
  expect(r.ready(busy)).toBe(2);
  // What is left of partitions 1 and 3 comes next, each after what was taken of it.
  const second = r.take(10, busy);
  expect(second).toHaveLength(2);
  for (const p of [1, 3]) {
    expect([...first, ...second].filter((m) => m.partition === p).map((m) => m.seq)).toEqual(
      sent.filter((s) => s.partition === p).map((s) => s.seq),
    );
  }
  expect(r.ready(busy)).toBe(0);
  expect(r.ready()).toBe(6);

  // A waiter for ready messages outside the busy partitions wakes when they are freed and it is told to look again.
  const waiting = r.waitForMessages(60_000, 1, busy);
  busy.delete(2);
  r.recheck();
  await waiting; // a test timeout here would mean it never looked again
  const freed = r.take(10, busy);
  expect(freed.map((m) => m.seq)).toEqual(sent.filter((s) => s.partition === 2).map((s) => s.seq));
  expect(r.take(10).map((m) => m.seq)).toEqual(sent.filter((s) => s.partition === 0).map((s) => s.seq));
  expect(r.ready()).toBe(0);
});

it("reads again what a fetch ended past its expiry still had on its way: a partition's last messages are not lost", async () => {
  bus = await testBus();
  disposeBus = () => bus.dispose();
  // Large messages, so that a fetch's messages arrive over many socket reads.
  const subject = bus.topology.subjects.transaction("tn_a", "store-0", 0);
  const padding = "x".repeat(64 * 1024);
  const sent: number[] = [];
  for (let i = 0; i < 100; i++) sent.push((await publishJson(bus.js, subject, { n: i, padding }, `big-${i}`)).seq);
  const r = newReaders(1_000, { expiresMs: 1_000, lateMs: 0 });
  r.start(0, 1);
  await r.waitForMessages(10_000, 1);
  // The process is descheduled, as on a saturated machine, with the rest of the fetch on its way: when it runs
  // again the fetch has outlived its expiry after delivering messages, and is ended before they are read.
  const until = Date.now() + 1_500;
  while (Date.now() < until);
  await eventually("all 100 messages read", async () => (r.queue.length >= 100 ? true : undefined), 15_000);
  expect(r.take(1_000).map((m) => m.seq)).toEqual(sent);
});

it("backlog follows the stream while the taker stands still", async () => {
  bus = await testBus();
  disposeBus = () => bus.dispose();
  const subject = bus.topology.subjects.transaction("tn_a", "store-0", 0);
  const publishMany = async (from: number, n: number) => {
    for (let i = from; i < from + n; i++) await publishJson(bus.js, subject, { n: i }, `still-${i}`);
  };
  await publishMany(0, 600);
  // A queue of four that nobody takes from: the reader fills it with one fetch and then waits, as the ledger's do
  // while Postgres is away.
  const r = newReaders(4);
  r.start(0, 1);
  await eventually("the backlog of 600", async () => (r.backlog() === 600 ? true : undefined));
  // The gateway keeps accepting meanwhile: the backlog counts what arrived, not what the last fetch saw.
  await publishMany(600, 1_000);
  await eventually("the backlog of 1,600", async () => (r.backlog() === 1_600 ? true : undefined));
  expect(r.queue.length).toBeLessThanOrEqual(256);

  // The server deletes an ordered consumer left five minutes without a fetch: counting goes on, and so does reading.
  const stream = bus.topology.streams.transactions;
  for await (const c of bus.jsm.consumers.list(stream)) await bus.jsm.consumers.delete(stream, c.name);
  await publishMany(1_600, 100);
  await eventually("the backlog of 1,700", async () => (r.backlog() === 1_700 ? true : undefined));
  const read: number[] = [];
  await eventually("every message read", async () => {
    read.push(...r.take(1_000).map((m) => JSON.parse(m.payload).n as number));
    return read.length >= 1_700 ? true : undefined;
  });
  expect(read).toEqual(Array.from({ length: 1_700 }, (_, i) => i));
});
