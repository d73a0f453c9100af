import { eventually } from "@regulars/testing";
import { beforeEach, describe, expect, it } from "vitest";
import { type DeadLetterInfo, done } from "../src/index.ts";
import { consumerHarness, gate, once, range, recorder, sleep } from "./consumer-harness.ts";
import { deadLetters } from "./stream-reader.ts";

const h = consumerHarness();

describe("startBatchConsumer", () => {
  beforeEach(() => h.useBus());

  it("hands valid messages to the handler in batches, in stream order, and acknowledges each once", async () => {
    await h.publishStamps(range(1, 20));
    const rec = recorder();
    const first = gate();
    let firstSize = 0;
    await h.startConsumer({
      maxBatch: 4,
      handle: async (items) => {
        // Hold the first batch until a full batch is buffered behind it, so later batches come from the buffer.
        if (rec.batches.length === 0) {
          firstSize = items.length;
          await first.held;
        }
        return rec.handle(items);
      },
    });
    await eventually("a full batch buffered", async () =>
      firstSize && (await h.deliveries()) >= firstSize + 4 ? true : undefined,
    );
    first.release();
    await h.drained();

    expect(rec.batches.flat()).toEqual(range(1, 20));
    expect(Math.max(...rec.batches.map((b) => b.length))).toBe(4);
    expect(rec.succeeded).toEqual(once(range(1, 20)));
    expect(await h.deliveries()).toBe(20); // no redelivery
    expect(await deadLetters(h.bus)).toEqual([]);
  });

  it("pulls no further ahead than one batch while a batch is in hand, so nothing ages into redelivery", async () => {
    await h.publishStamps(range(1, 60));
    const rec = recorder();
    const first = gate();
    let firstSize = 0;
    await h.startConsumer({
      maxBatch: 5,
      handle: async (items) => {
        if (rec.batches.length === 0) {
          firstSize = items.length;
          await first.held;
        }
        return rec.handle(items);
      },
    });
    await eventually("the buffer to fill", async () =>
      firstSize && (await h.deliveries()) >= firstSize + 5 ? true : undefined,
    );
    await sleep(500); // give an unbounded puller the chance to run ahead
    expect(await h.deliveries()).toBe(firstSize + 5);
    first.release();
    await h.drained();
    expect(rec.succeeded).toEqual(once(range(1, 60)));
    expect(await h.deliveries()).toBe(60);
  });

  it("dead-letters a payload that is not JSON and one that breaks the schema, without calling the handler", async () => {
    const rec = recorder();
    const seqs = await h.publishStamps([1]);
    const notJson = (await h.bus.js.publish(h.subject(), "{n: 2, oops", { msgID: "bad-json" })).seq;
    await h.publishStamps([3]);
    const wrongShape = JSON.stringify({ n: "four", store: 4 });
    const badShape = (await h.bus.js.publish(h.subject(), wrongShape, { msgID: "bad-shape" })).seq;
    await h.publishStamps([5]);
    const hooked: DeadLetterInfo[] = [];

    await h.startConsumer({ handle: rec.handle, onDeadLetter: async (info) => void hooked.push(info) });
    const letters = await eventually("two dead letters", async () => {
      const found = await deadLetters(h.bus);
      return found.length === 2 ? found : undefined;
    });
    await h.drained();

    expect(rec.batches.flat()).toEqual([1, 3, 5]);
    const common = {
      consumer: "event-resolver",
      stream: h.bus.topology.streams.events,
      subject: h.subject(),
      deliveries: 1,
    };
    expect(letters.map((l) => l.subject)).toEqual([
      h.bus.topology.subjects.deadLetter("event-resolver"),
      h.bus.topology.subjects.deadLetter("event-resolver"),
    ]);
    expect(letters[0]!.body).toMatchObject({
      ...common,
      reason: "payload is not valid JSON",
      streamSequence: notJson,
      payload: "{n: 2, oops",
    });
    expect(letters[1]!.body).toMatchObject({ ...common, streamSequence: badShape, payload: wrongShape });
    expect(letters[1]!.body.reason).toMatch(/^payload does not match the contract: /);
    expect(letters[1]!.body.reason).toMatch(/\bn: /);
    expect(letters[1]!.body.reason).toMatch(/\bstore: /);
    expect(Number.isNaN(Date.parse(letters[0]!.body.failedAt))).toBe(false);
    expect(seqs.get(1)).toBeLessThan(notJson);
    expect(await h.deliveries()).toBe(5);
    expect(
      hooked.map((i) => ({ payload: i.payload, category: i.category, subject: i.subject, consumer: i.consumer })),
    ).toEqual(
      expect.arrayContaining([
        { payload: "{n: 2, oops", category: "invalid_payload", subject: h.subject(), consumer: "event-resolver" },
        { payload: wrongShape, category: "invalid_payload", subject: h.subject(), consumer: "event-resolver" },
      ]),
    );
  });

  it("redelivers a retried message and dead-letters it after maxDeliver failures", async () => {
    const seqs = await h.publishStamps([1, 2, 3]);
    const rec = recorder((item) =>
      item.n === 2 ? { kind: "retry", reason: "customer record not replicated yet" } : done,
    );
    const hooked: DeadLetterInfo[] = [];
    await h.startConsumer({ maxDeliver: 3, handle: rec.handle, onDeadLetter: async (info) => void hooked.push(info) });

    const [letter] = await eventually("a dead letter", async () => {
      const found = await deadLetters(h.bus);
      return found.length ? found : undefined;
    });
    await h.drained();

    expect(letter!.body).toMatchObject({
      reason: "gave up after 3 deliveries: customer record not replicated yet",
      deliveries: 3,
      streamSequence: seqs.get(2),
      payload: JSON.stringify({ n: 2, store: "store-017" }),
    });
    expect(hooked).toEqual([
      {
        consumer: "event-resolver",
        subject: h.subject(),
        payload: letter!.body.payload,
        reason: letter!.body.reason,
        category: "retries_exhausted",
      },
    ]);
    expect(rec.seen(2)).toBe(3);
    expect(rec.succeeded).toEqual(once([1, 3]));
    expect(await h.deliveries()).toBe(5);
  });

  it("dead-letters a rejected message at its first delivery", async () => {
    const seqs = await h.publishStamps([1, 2, 3]);
    const rec = recorder((item) =>
      item.n === 2 ? { kind: "reject", reason: "refund of an unknown transaction" } : done,
    );
    const categories: string[] = [];
    await h.startConsumer({
      maxDeliver: 3,
      handle: rec.handle,
      onDeadLetter: async (info) => void categories.push(info.category),
    });

    const [letter] = await eventually("a dead letter", async () => {
      const found = await deadLetters(h.bus);
      return found.length ? found : undefined;
    });
    await h.drained();

    expect(letter!.body).toMatchObject({
      reason: "refund of an unknown transaction",
      deliveries: 1,
      streamSequence: seqs.get(2),
    });
    expect(categories).toEqual(["rejected"]);
    expect(rec.seen(2)).toBe(1);
    expect(rec.succeeded).toEqual(once([1, 3]));
    expect(await h.deliveries()).toBe(3);
  });

  it("keeps a message whose dead-letter hook fails, and dead-letters it once the hook succeeds", async () => {
    await h.publishStamps([1, 2]);
    const rec = recorder((item) => (item.n === 2 ? { kind: "reject", reason: "unknown customer id" } : done));
    let hookCalls = 0;
    await h.startConsumer({
      handle: rec.handle,
      onDeadLetter: async () => {
        if (++hookCalls < 3) throw new Error("could not record the rejection: database unavailable");
      },
    });
    const letters = await eventually("a dead letter", async () => {
      const found = await deadLetters(h.bus);
      return found.length ? found : undefined;
    });
    await h.drained();

    expect(hookCalls).toBe(3);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.body.reason).toBe("unknown customer id");
    expect(rec.seen(2)).toBe(3);
  });
});

describe("stopping", () => {
  // A long ack wait: only an explicit hand-back can bring buffered messages back within the test.
  beforeEach(() => h.useBus({ ackWaitMs: 60_000 }));

  it("finishes the batch in hand and hands buffered messages back to the next consumer", async () => {
    await h.publishStamps(range(1, 10));
    const first = recorder();
    const hold = gate();
    const consumer = await h.startConsumer({
      maxBatch: 2,
      handle: async (items) => {
        if (first.batches.length === 0) await hold.held;
        return first.handle(items);
      },
    });
    await eventually("the buffer to fill", async () => ((await h.deliveries()) >= 3 ? true : undefined));

    const stopped = h.stopConsumer(consumer);
    hold.release();
    await stopped;

    expect(first.batches).toHaveLength(1);
    const handedBack = range(1, 10).filter((n) => !first.succeeded.has(n));
    expect(handedBack.length).toBeGreaterThan(0);

    const second = recorder();
    await h.startConsumer({ handle: second.handle });
    await h.drained(10_000); // well inside the 60 s ack wait

    expect(second.succeeded).toEqual(once(handedBack));
  });
});
