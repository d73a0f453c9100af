import { eventually } from "@regulars/testing";
import { describe, expect, it } from "vitest";
import type { ConsumerDependency, ConsumerState } from "../src/index.ts";
import { consumerHarness, once, range, recorder, sleep } from "./consumer-harness.ts";
import { deadLetters } from "./stream-reader.ts";

const h = consumerHarness();

/** A dependency the test switches off and on; its errors are recognised as transient. */
function switchableDependency() {
  const dep = { up: true, probes: 0 };
  const dependency: ConsumerDependency = {
    name: "postgres",
    isTransient: (e) => /connection refused|timeout/.test((e as Error).message),
    probe: async () => {
      dep.probes++;
      return dep.up;
    },
  };
  return Object.assign(dep, { dependency });
}

describe("a batch that fails on its own", () => {
  it("is re-run one message at a time, in order: only the message failing alone is retried and dead-lettered", async () => {
    await h.useBus();
    await h.publishStamps(range(1, 6));
    const rec = recorder();
    await h.startConsumer({
      maxDeliver: 2,
      handle: async (items) => {
        if (items.some((i) => i.n === 4)) {
          rec.batches.push(items.map((i) => i.n));
          throw new Error('value too long for column "name"');
        }
        return rec.handle(items);
      },
    });
    const [letter] = await eventually("a dead letter", async () => {
      const found = await deadLetters(h.bus);
      return found.length ? found : undefined;
    });
    await h.drained();

    expect(letter!.body.reason).toBe('gave up after 2 deliveries: value too long for column "name"');
    expect(letter!.body.payload).toBe(JSON.stringify({ n: 4, store: "store-017" }));
    expect(rec.succeeded).toEqual(once([1, 2, 3, 5, 6]));
    // The batch holding the poison message was followed by single-message calls in stream order.
    const failedBatch = rec.batches.find((b) => b.length > 1 && b.includes(4));
    if (failedBatch) {
      const after = rec.batches.slice(
        rec.batches.indexOf(failedBatch) + 1,
        rec.batches.indexOf(failedBatch) + 1 + failedBatch.length,
      );
      expect(after).toEqual(failedBatch.map((n) => [n]));
    }
  });

  it("is re-run one message at a time when the handler returns the wrong number of outcomes", async () => {
    await h.useBus();
    await h.publishStamps([1, 2]);
    const rec = recorder();
    let calls = 0;
    await h.startConsumer({ handle: async (items) => (++calls === 1 ? [] : rec.handle(items)) });
    await h.drained();

    expect(calls).toBeGreaterThan(1);
    expect(rec.succeeded).toEqual(once([1, 2]));
    expect(await deadLetters(h.bus)).toEqual([]);
  });

  it("counts a 'transient' error as the message's own when the probe says the dependency is fine", async () => {
    await h.useBus();
    await h.publishStamps(range(1, 4));
    const dep = switchableDependency();
    const rec = recorder();
    const states: ConsumerState["status"][] = [];
    await h.startConsumer({
      maxDeliver: 2,
      dependency: dep.dependency,
      onStateChange: (s) => states.push(s.status),
      handle: async (items) => {
        if (items.some((i) => i.n === 3)) throw new Error("statement timeout: canceling statement"); // one giant message
        return rec.handle(items);
      },
    });
    const [letter] = await eventually("a dead letter", async () => {
      const found = await deadLetters(h.bus);
      return found.length ? found : undefined;
    });
    await h.drained();

    expect(letter!.body.reason).toBe("gave up after 2 deliveries: statement timeout: canceling statement");
    expect(rec.succeeded).toEqual(once([1, 2, 4]));
    expect(dep.probes).toBeGreaterThan(0);
    expect(states).not.toContain("paused");
  });
});

describe("a dependency outage", () => {
  it("pauses the consumer with its batch in hand, past the ack wait, and resumes with the same batch: nothing is redelivered or dead-lettered", async () => {
    await h.useBus({ ackWaitMs: 1_000 });
    await h.publishStamps(range(1, 6));
    const dep = switchableDependency();
    dep.up = false;
    const rec = recorder();
    let refused = 0;
    const consumer = await h.startConsumer({
      maxDeliver: 1, // one counted failure would dead-let: an outage must count none
      dependency: dep.dependency,
      pauseBackoffMs: () => 100,
      handle: async (items) => {
        if (!dep.up) {
          refused++;
          throw new Error("connect ECONNREFUSED 127.0.0.1:5432 (connection refused)");
        }
        return rec.handle(items);
      },
    });
    const paused = await eventually("the consumer to pause", async () => {
      const s = consumer.state();
      return s.status === "paused" ? s : undefined;
    });
    expect(paused).toMatchObject({
      consumer: "event-resolver",
      status: "paused",
      dependency: "postgres",
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
    await sleep(3_000); // three ack waits: without heartbeats the server would redeliver the batch
    const probesWhilePaused = dep.probes;
    expect(refused).toBe(1); // no hammering: the handler waits for the probe
    expect(probesWhilePaused).toBeGreaterThan(2);
    expect((await h.info()).num_redelivered).toBe(0);

    dep.up = true;
    await h.drained();
    expect(consumer.state()).toEqual({ consumer: "event-resolver", status: "running" });
    expect(rec.succeeded).toEqual(once(range(1, 6)));
    expect(await h.deliveries()).toBe(6);
    expect(await deadLetters(h.bus)).toEqual([]);
  });

  it("hands the batch in hand back when stopped while paused, so another instance takes it at once", async () => {
    await h.useBus({ ackWaitMs: 60_000 });
    await h.publishStamps(range(1, 3));
    const dep = switchableDependency();
    dep.up = false;
    const first = await h.startConsumer({
      dependency: dep.dependency,
      handle: async () => {
        throw new Error("connection refused");
      },
    });
    await eventually("the consumer to pause", async () => (first.state().status === "paused" ? true : undefined));
    await h.stopConsumer(first);
    expect(first.state().status).toBe("stopped");

    dep.up = true;
    const rec = recorder();
    await h.startConsumer({ dependency: dep.dependency, handle: rec.handle });
    await h.drained(10_000); // well inside the 60 s ack wait
    expect(rec.succeeded).toEqual(once(range(1, 3)));
    expect(await deadLetters(h.bus)).toEqual([]);
  });
});

describe("slow batches", () => {
  it("keeps a batch slower than the ack wait to itself: no redelivery to anyone", async () => {
    await h.useBus({ ackWaitMs: 1_000 });
    await h.publishStamps(range(1, 5));
    const rec = recorder();
    await h.startConsumer({
      handle: async (items) => {
        if (rec.batches.length === 0) await sleep(3_500);
        return rec.handle(items);
      },
    });
    await h.drained();

    const info = await h.info();
    expect(info.num_redelivered).toBe(0);
    expect(info.delivered.consumer_seq).toBe(5);
    expect(rec.succeeded).toEqual(once(range(1, 5)));
  });
});

describe("a server refusing work because of its state while its probe answers", () => {
  /** A ClickHouse with Keeper away: every insert fails with TABLE_IS_READ_ONLY, /ping answers Ok all along. */
  function readOnlyServer() {
    const server = { readOnly: true, refused: 0, probes: 0 };
    const refusal = () =>
      Object.assign(new Error("Table is in readonly mode (replica path: /clickhouse/tables/01/events)"), {
        type: "TABLE_IS_READ_ONLY",
        code: "242",
      });
    const byType = (e: unknown) => (e as { type?: unknown })?.type === "TABLE_IS_READ_ONLY";
    const dependency: ConsumerDependency = {
      name: "clickhouse",
      isTransient: (e) => byType(e) || /connection refused/.test((e as Error).message),
      isServerState: byType,
      probe: async () => {
        server.probes++;
        return true;
      },
    };
    const write = () => {
      if (!server.readOnly) return;
      server.refused++;
      throw refusal();
    };
    return Object.assign(server, { dependency, write });
  }

  it("pauses with the batch in hand and tries it again until the server takes it: nothing is dead-lettered", async () => {
    await h.useBus();
    await h.publishStamps(range(1, 6));
    const server = readOnlyServer();
    const rec = recorder();
    const states: ConsumerState[] = [];
    const consumer = await h.startConsumer({
      maxDeliver: 2, // two counted failures would dead-letter: a refusal must count none
      dependency: server.dependency,
      pauseBackoffMs: () => 100,
      onStateChange: (s) => states.push(s),
      handle: async (items) => {
        server.write();
        return rec.handle(items);
      },
    });
    // Well past the deliveries a message's own failure is allowed: the pause outlasts them all.
    await eventually("the refused batch to be tried again many times", async () =>
      server.refused >= 8 ? true : undefined,
    );
    expect(await deadLetters(h.bus)).toEqual([]);
    expect(rec.succeeded.size).toBe(0);
    const pauses = states.filter((s) => s.status === "paused");
    expect(pauses[0]).toMatchObject({ dependency: "clickhouse", reason: expect.stringMatching(/readonly mode/) });
    // One pause however often the write is tried again: it keeps its start.
    expect(new Set(pauses.map((s) => (s.status === "paused" ? s.since : "")))).toHaveProperty("size", 1);

    server.readOnly = false;
    await h.drained(30_000);
    expect(rec.succeeded).toEqual(once(range(1, 6)));
    expect(await deadLetters(h.bus)).toEqual([]);
    expect(consumer.state()).toEqual({ consumer: "event-resolver", status: "running" });
  });

  it("still dead-letters a message that fails on its own, with its reason, and applies the rest", async () => {
    await h.useBus();
    await h.publishStamps(range(1, 5));
    const server = readOnlyServer();
    const rec = recorder();
    await h.startConsumer({
      maxDeliver: 2,
      dependency: server.dependency,
      pauseBackoffMs: () => 100,
      handle: async (items) => {
        if (server.refused >= 3) server.readOnly = false; // the server takes writes again after a while
        server.write();
        if (items.some((i) => i.n === 3)) throw new Error('value too long for column "name"');
        return rec.handle(items);
      },
    });
    const letters = await eventually("a dead letter", async () => {
      const found = await deadLetters(h.bus);
      return found.length ? found : undefined;
    });
    await h.drained(30_000);

    expect(letters.map((l) => l.body.reason)).toEqual(['gave up after 2 deliveries: value too long for column "name"']);
    expect(letters[0]!.body.payload).toBe(JSON.stringify({ n: 3, store: "store-017" }));
    expect(rec.succeeded).toEqual(once([1, 2, 4, 5]));
    expect(await deadLetters(h.bus)).toHaveLength(1);
  });
});
