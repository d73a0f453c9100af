import { silentLogger } from "@regulars/logger";
import { eventually, testBus } from "@regulars/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  consumerBacklog,
  done,
  publishJson,
  startBatchConsumer,
  type BatchConsumerOptions,
  type Outcome,
  type RunningConsumer,
} from "../src/index.ts";
import { deadLetters } from "./stream-reader.ts";

const Stamp = z.object({ n: z.number().int(), store: z.string() });
type Stamp = z.infer<typeof Stamp>;

let bus: Awaited<ReturnType<typeof testBus>>;
const running: RunningConsumer[] = [];

async function useBus(opts: Parameters<typeof testBus>[0] = {}) {
  bus = await testBus(opts);
}

afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
  await bus?.dispose();
});

const subject = () => bus.topology.subjects.transaction("tenant_a", "store-017");
const backlog = () => consumerBacklog(bus, bus.topology.streams.transactions, bus.topology.consumers.ledger);
const deliveries = async () => (await bus.jsm.consumers.info(bus.topology.streams.transactions, bus.topology.consumers.ledger)).delivered.consumer_seq;
const drained = (timeoutMs?: number) => eventually("the ledger consumer's backlog to drain", async () => ((await backlog()) === 0 ? true : undefined), timeoutMs);

/** Publishes stamps in order; returns each one's stream sequence. */
async function publishStamps(ns: number[]): Promise<Map<number, number>> {
  const seqs = new Map<number, number>();
  for (const n of ns) seqs.set(n, (await publishJson(bus.js, subject(), { n, store: "store-017" }, `stamp-${n}`)).seq);
  return seqs;
}

async function startConsumer(opts: Pick<BatchConsumerOptions<Stamp>, "handle"> & Partial<BatchConsumerOptions<Stamp>>) {
  const consumer = await startBatchConsumer<Stamp>({
    bus,
    stream: bus.topology.streams.transactions,
    durable: bus.topology.consumers.ledger,
    schema: Stamp,
    log: silentLogger,
    backoffMs: () => 50,
    ...opts,
  });
  running.push(consumer);
  return consumer;
}

/** Records every batch handed to the handler and how often each stamp was handled successfully. */
function recorder(decide: (item: Stamp, call: number) => Outcome = () => done) {
  const batches: number[][] = [];
  const succeeded = new Map<number, number>();
  const handle = async (items: Stamp[]) => {
    batches.push(items.map((i) => i.n));
    const outcomes = items.map((item) => decide(item, batches.length));
    items.forEach((item, i) => {
      if (outcomes[i]!.kind === "done") succeeded.set(item.n, (succeeded.get(item.n) ?? 0) + 1);
    });
    return outcomes;
  };
  const seen = (n: number) => batches.flat().filter((m) => m === n).length;
  return { batches, succeeded, handle, seen };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const once = (ns: number[]) => new Map(ns.map((n) => [n, 1]));

describe("startBatchConsumer", () => {
  beforeEach(() => useBus());

  it("hands valid messages to the handler in batches, in stream order, and acknowledges each once", async () => {
    await publishStamps(range(1, 20));
    const rec = recorder();
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    await startConsumer({
      maxBatch: 4,
      handle: async (items) => {
        // Hold the first batch until everything is delivered, so the rest is waiting in the buffer.
        if (rec.batches.length === 0) await firstHeld;
        return rec.handle(items);
      },
    });
    // Wait until more than one batch has been pulled, so later batches come from the buffer.
    await eventually("a second batch pulled", async () => ((await deliveries()) >= 8 ? true : undefined));
    releaseFirst();
    await drained();

    expect(rec.batches.flat()).toEqual(range(1, 20));
    expect(Math.max(...rec.batches.map((b) => b.length))).toBe(4);
    expect(rec.succeeded).toEqual(once(range(1, 20)));
    expect(await deliveries()).toBe(20); // no redelivery
    expect(await deadLetters(bus)).toEqual([]);
  });

  it("pulls no further ahead than about two batches while a batch is in hand, so nothing ages into redelivery", async () => {
    await publishStamps(range(1, 60));
    const rec = recorder();
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    let entered!: () => void;
    const firstEntered = new Promise<void>((r) => (entered = r));
    await startConsumer({
      maxBatch: 5,
      handle: async (items) => {
        if (rec.batches.length === 0) {
          entered();
          await firstHeld;
        }
        return rec.handle(items);
      },
    });
    await firstEntered;
    await eventually("the buffer to fill", async () => ((await deliveries()) >= 10 ? true : undefined));
    await new Promise((r) => setTimeout(r, 500)); // give an unbounded puller the chance to run ahead
    expect(await deliveries()).toBeLessThanOrEqual(15);
    releaseFirst();
    await drained();
    expect(rec.succeeded).toEqual(once(range(1, 60)));
    expect(await deliveries()).toBe(60);
  });

  it("dead-letters a payload that is not JSON and one that breaks the schema, without calling the handler", async () => {
    const rec = recorder();
    const seqs = await publishStamps([1]);
    const notJson = (await bus.js.publish(subject(), "{n: 2, oops", { msgID: "bad-json" })).seq;
    await publishStamps([3]);
    const wrongShape = JSON.stringify({ n: "four", store: 4 });
    const badShape = (await bus.js.publish(subject(), wrongShape, { msgID: "bad-shape" })).seq;
    await publishStamps([5]);

    await startConsumer({ handle: rec.handle });
    const letters = await eventually("two dead letters", async () => {
      const found = await deadLetters(bus);
      return found.length === 2 ? found : undefined;
    });
    await drained();

    expect(rec.batches.flat()).toEqual([1, 3, 5]);
    const common = { consumer: "ledger", stream: bus.topology.streams.transactions, subject: subject(), deliveries: 1 };
    expect(letters.map((l) => l.subject)).toEqual([bus.topology.subjects.deadLetter("ledger"), bus.topology.subjects.deadLetter("ledger")]);
    expect(letters[0]!.body).toMatchObject({ ...common, reason: "payload is not valid JSON", streamSequence: notJson, payload: "{n: 2, oops" });
    expect(letters[1]!.body).toMatchObject({ ...common, streamSequence: badShape, payload: wrongShape });
    expect(letters[1]!.body.reason).toMatch(/^payload does not match the contract: /);
    expect(letters[1]!.body.reason).toMatch(/\bn: /);
    expect(letters[1]!.body.reason).toMatch(/\bstore: /);
    expect(Number.isNaN(Date.parse(letters[0]!.body.failedAt))).toBe(false);
    expect(seqs.get(1)).toBeLessThan(notJson);
    expect(await deliveries()).toBe(5);
  });

  it("redelivers a retried message and dead-letters it after maxDeliver deliveries", async () => {
    const seqs = await publishStamps([1, 2, 3]);
    const rec = recorder((item) => (item.n === 2 ? { kind: "retry", reason: "customer record not replicated yet" } : done));
    await startConsumer({ maxDeliver: 3, handle: rec.handle });

    const [letter] = await eventually("a dead letter", async () => {
      const found = await deadLetters(bus);
      return found.length ? found : undefined;
    });
    await drained();

    expect(letter!.body).toMatchObject({
      reason: "gave up after 3 deliveries: customer record not replicated yet",
      deliveries: 3,
      streamSequence: seqs.get(2),
      payload: JSON.stringify({ n: 2, store: "store-017" }),
    });
    expect(rec.seen(2)).toBe(3);
    expect(rec.succeeded).toEqual(once([1, 3]));
    expect(await deliveries()).toBe(5);
  });

  it("dead-letters a rejected message at its first delivery", async () => {
    const seqs = await publishStamps([1, 2, 3]);
    const rec = recorder((item) => (item.n === 2 ? { kind: "reject", reason: "refund of an unknown transaction" } : done));
    await startConsumer({ maxDeliver: 3, handle: rec.handle });

    const [letter] = await eventually("a dead letter", async () => {
      const found = await deadLetters(bus);
      return found.length ? found : undefined;
    });
    await drained();

    expect(letter!.body).toMatchObject({ reason: "refund of an unknown transaction", deliveries: 1, streamSequence: seqs.get(2) });
    expect(rec.seen(2)).toBe(1);
    expect(rec.succeeded).toEqual(once([1, 3]));
    expect(await deliveries()).toBe(3);
  });

  it("retries the whole batch when the handler throws, and handles each message once when it recovers", async () => {
    await publishStamps(range(1, 6));
    const rec = recorder();
    let failedBatch: number[] | undefined;
    await startConsumer({
      handle: async (items) => {
        if (!failedBatch) {
          failedBatch = items.map((i) => i.n);
          throw new Error("connection to the ledger database lost");
        }
        return rec.handle(items);
      },
    });
    await drained();

    expect(failedBatch!.length).toBeGreaterThan(0);
    expect(rec.succeeded).toEqual(once(range(1, 6)));
    expect(await deliveries()).toBe(6 + failedBatch!.length);
    expect(await deadLetters(bus)).toEqual([]);
  });

  it("retries a batch whose handler returns the wrong number of outcomes", async () => {
    await publishStamps([1, 2]);
    const rec = recorder();
    let calls = 0;
    await startConsumer({ handle: async (items) => (++calls === 1 ? [] : rec.handle(items)) });
    await drained();

    expect(calls).toBeGreaterThan(1);
    expect(rec.succeeded).toEqual(once([1, 2]));
    expect(await deadLetters(bus)).toEqual([]);
  });
});

describe("stopping", () => {
  // A long ack wait: only an explicit hand-back can bring buffered messages back within the test.
  beforeEach(() => useBus({ ackWaitMs: 60_000 }));

  it("finishes the batch in hand and hands buffered messages back to the next consumer", async () => {
    await publishStamps(range(1, 10));
    const first = recorder();
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((r) => (releaseFirst = r));
    const consumer = await startConsumer({
      maxBatch: 2,
      handle: async (items) => {
        if (first.batches.length === 0) await firstHeld;
        return first.handle(items);
      },
    });
    await eventually("the buffer to fill", async () => ((await deliveries()) >= 4 ? true : undefined));

    const stopped = consumer.stop();
    releaseFirst();
    await stopped;
    running.splice(running.indexOf(consumer), 1);

    expect(first.batches).toHaveLength(1);
    const handedBack = range(1, 10).filter((n) => !first.succeeded.has(n));
    expect(handedBack.length).toBeGreaterThan(0);

    const second = recorder();
    await startConsumer({ handle: second.handle });
    await drained(10_000); // well inside the 60 s ack wait

    expect(second.succeeded).toEqual(once(handedBack));
  });
});
