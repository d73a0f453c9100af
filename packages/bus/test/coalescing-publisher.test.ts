import { DiscardPolicy } from "@nats-io/jetstream";
import { testBus } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CoalescingPublisher, connectionPublisher, publishAllCoalesced, publishJson } from "../src/index.ts";

/**
 * Socket writes are counted where they happen: the NATS client's transport (`send`, one call per write of
 * its outbound buffer), wrapped on a real connection to a real server.
 */
let bus: Awaited<ReturnType<typeof testBus>>;
let writes = 0;

beforeAll(async () => {
  bus = await testBus();
  const transport = (bus.nc as any).protocol.transport;
  const send = transport.send.bind(transport);
  transport.send = (frame: Uint8Array) => {
    writes++;
    return send(frame);
  };
});
afterAll(() => bus?.dispose());

/** Runs each call in its own macrotask, as requests read from separate sockets are handled. */
const inSeparateMacrotasks = <T>(count: number, call: (i: number) => Promise<T>): Promise<T[]> =>
  Promise.all(
    Array.from(
      { length: count },
      (_, i) => new Promise<T>((resolve, reject) => setTimeout(() => call(i).then(resolve, reject), 0)),
    ),
  );

const subject = (i: number) => bus.topology.subjects.transaction("tn_coalesce", `store-${i % 7}`, i % 16);
const storedMessages = async () => (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.messages;

describe("publishing from many concurrent requests", () => {
  it("the plain publish costs a socket write per message (what the publisher is for)", async () => {
    const before = writes;
    await inSeparateMacrotasks(100, (i) => publishJson(bus.js, subject(i), { n: i }, `plain-${i}`));
    expect(writes - before).toBeGreaterThanOrEqual(100);
  });

  it("the coalescing publisher writes the publishes of one event-loop turn together, each with its own ack", async () => {
    const publisher = new CoalescingPublisher(bus.nc);
    const storedBefore = await storedMessages();
    const before = writes;
    const acks = await inSeparateMacrotasks(200, (i) => publisher.publishJson(subject(i), { n: i }, `coalesced-${i}`));
    // Timers due in the same millisecond run in one turn; a few turns at most, and one write for each.
    expect(publisher.stats.messages).toBe(200);
    expect(publisher.stats.flushes).toBeLessThanOrEqual(3);
    expect(writes - before).toBeLessThanOrEqual(publisher.stats.flushes + 1); // + a keep-alive ping, rarely
    // Every caller got the ack of its own message: distinct sequence numbers, all stored, none a duplicate.
    expect(new Set(acks.map((a) => a.seq)).size).toBe(200);
    expect(acks.every((a) => !a.duplicate)).toBe(true);
    expect(await storedMessages()).toBe(storedBefore + 200);
    const stored = await bus.jsm.streams.getMessage(bus.topology.streams.transactions, { seq: acks[57]!.seq });
    expect(stored?.json()).toEqual({ n: 57 });
  });

  it("answers a repeated message id as a duplicate naming the message it kept, also within one flush", async () => {
    const publisher = new CoalescingPublisher(bus.nc);
    const [first, again] = await Promise.all([
      publisher.publishJson(subject(1), { n: "first" }, "repeat-1"),
      publisher.publishJson(subject(1), { n: "second" }, "repeat-1"),
    ]);
    expect(publisher.stats.flushes).toBe(1);
    expect(first).toEqual({ seq: expect.any(Number), duplicate: false });
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    const later = await publisher.publishJson(subject(1), { n: "third" }, "repeat-1");
    expect(later).toEqual({ seq: first.seq, duplicate: true });
  });

  it("fails only the publish that cannot be stored, saying why; the others in its flush are stored", async () => {
    const publisher = new CoalescingPublisher(bus.nc);
    const results = await Promise.allSettled([
      publisher.publishJson(subject(2), { n: 1 }, "mixed-1"),
      publisher.publishJson(`nostream${Date.now()}.x`, { n: 2 }, "mixed-2"),
      publisher.publishJson(subject(3), { n: 3 }, "mixed-3"),
    ]);
    expect(publisher.stats.flushes).toBe(1);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/no JetStream stream answered for nostream/);
  });

  it("passes on what JetStream refuses to store", async () => {
    const name = `${bus.topology.namespace.toUpperCase()}_FULL`;
    const full = `${bus.topology.namespace}.full`;
    await bus.jsm.streams.add({ name, subjects: [full], max_msgs: 1, discard: DiscardPolicy.New });
    try {
      const publisher = new CoalescingPublisher(bus.nc);
      await publisher.publishJson(full, { n: 1 }, "full-1");
      await expect(publisher.publishJson(full, { n: 2 }, "full-2")).rejects.toThrow(
        /JetStream did not store the message: maximum messages exceeded/,
      );
    } finally {
      await bus.jsm.streams.delete(name);
    }
  });

  it("fails a duplicate of sequence 0: the id was seen in a publish not stored (a cluster leader before 2.11)", async () => {
    // Answered as such a leader answers a repeat whose first publish is still being replicated, or was dropped in a
    // leader change and never stored (nats-io/nats-server#6486): a single server cannot be brought to say it.
    const staged = `${bus.topology.namespace}.staged`;
    const leader = bus.nc.subscribe(staged, {
      callback: (_, msg) => {
        msg.respond(JSON.stringify({ stream: "TX", seq: 0, duplicate: true }));
      },
    });
    try {
      const notStored = /JetStream has seen message id staged-1 in a publish it has not stored/;
      await expect(new CoalescingPublisher(bus.nc).publishJson(staged, { n: 1 }, "staged-1")).rejects.toThrow(
        notStored,
      );
      await expect(publishJson(bus.js, staged, { n: 1 }, "staged-1")).rejects.toThrow(notStored);
    } finally {
      leader.unsubscribe();
    }
  });

  it("fails a publish nobody acknowledges after the timeout, and everything unanswered on close", async () => {
    const silent = `${bus.topology.namespace}.silent`;
    const listener = bus.nc.subscribe(silent, { callback: () => {} }); // a responder that never answers
    try {
      const publisher = new CoalescingPublisher(bus.nc, { timeoutMs: 200 });
      await expect(publisher.publishJson(silent, { n: 1 }, "silent-1")).rejects.toThrow(
        /did not acknowledge the publish within 200 ms/,
      );
      const pending = publisher.publishJson(silent, { n: 2 }, "silent-2");
      await new Promise((r) => setImmediate(r)); // sent, waiting for its ack
      publisher.close();
      await expect(pending).rejects.toThrow(/closed before JetStream acknowledged/);
    } finally {
      listener.unsubscribe();
    }
  });
});

describe("the connection's publisher (committed events from the outbox)", () => {
  it("is one per connection, publishes a batch in a few writes and stores each message once", async () => {
    expect(connectionPublisher(bus.nc)).toBe(connectionPublisher(bus.nc));
    const messages = Array.from({ length: 2_500 }, (_, i) => ({
      subject: subject(i),
      payload: { batch: i },
      msgId: `outbox-batch-${i}`,
    }));
    const storedBefore = await storedMessages();
    const before = writes;
    await publishAllCoalesced(bus.nc, messages, 1_000);
    expect(await storedMessages()).toBe(storedBefore + 2_500);
    // Three slices of at most 1,000, each one flush; the client splits a large buffer into a few writes.
    expect(writes - before).toBeLessThan(30);
    // Published again (a relay after a crash): JetStream keeps the first of each id.
    await publishAllCoalesced(bus.nc, messages.slice(0, 10));
    expect(await storedMessages()).toBe(storedBefore + 2_500);
  });

  it("rejects when a message of the batch is not stored", async () => {
    await expect(
      publishAllCoalesced(bus.nc, [
        { subject: subject(1), payload: { n: 1 }, msgId: "outbox-ok" },
        { subject: `nostream${Date.now()}.y`, payload: { n: 2 }, msgId: "outbox-lost" },
      ]),
    ).rejects.toThrow(/no JetStream stream answered/);
  });

  it("is closed with its connection: what it still waits for fails instead of hanging", async () => {
    const other = await testBus();
    const silent = `${other.topology.namespace}.silent-close`;
    const listener = other.nc.subscribe(silent, { callback: () => {} });
    const pending = connectionPublisher(other.nc).publishJson(silent, { n: 1 }, "close-1");
    await new Promise((r) => setImmediate(r));
    listener.unsubscribe();
    await other.dispose();
    await expect(pending).rejects.toThrow(/closed before JetStream acknowledged/);
  });
});
