import { silentLogger } from "@regulars/logger";
import { eventually, testBus } from "@regulars/testing";
import { afterEach } from "vitest";
import { z } from "zod";
import {
  type BatchConsumerOptions,
  consumerBacklog,
  done,
  type Outcome,
  publishJson,
  type RunningConsumer,
  startBatchConsumer,
} from "../src/index.ts";

/** A bus of its own per test and the event resolver's durable consumer over it, with helpers to publish and observe. */
export const Stamp = z.object({ n: z.number().int(), store: z.string() });
export type Stamp = z.infer<typeof Stamp>;

export function consumerHarness() {
  let bus: Awaited<ReturnType<typeof testBus>>;
  const running: RunningConsumer[] = [];

  afterEach(async () => {
    for (const c of running.splice(0)) await c.stop();
    await bus?.dispose();
  });

  const h = {
    get bus() {
      return bus;
    },
    async useBus(opts: Parameters<typeof testBus>[0] = {}) {
      bus = await testBus(opts);
    },
    subject: () => bus.topology.subjects.event("tenant_a", "stamp"),
    backlog: () => consumerBacklog(bus, bus.topology.streams.events, bus.topology.consumers.eventResolver),
    info: () => bus.jsm.consumers.info(bus.topology.streams.events, bus.topology.consumers.eventResolver),
    /** Deliveries so far, redeliveries included. */
    deliveries: async () => (await h.info()).delivered.consumer_seq,
    drained: (timeoutMs?: number) =>
      eventually(
        "the consumer's backlog to drain",
        async () => ((await h.backlog()) === 0 ? true : undefined),
        timeoutMs,
      ),
    /** Publishes stamps in order; returns each one's stream sequence. */
    async publishStamps(ns: number[]): Promise<Map<number, number>> {
      const seqs = new Map<number, number>();
      for (const n of ns)
        seqs.set(n, (await publishJson(bus.js, h.subject(), { n, store: "store-017" }, `stamp-${n}`)).seq);
      return seqs;
    },
    async startConsumer(opts: Pick<BatchConsumerOptions<Stamp>, "handle"> & Partial<BatchConsumerOptions<Stamp>>) {
      const consumer = await startBatchConsumer<Stamp>({
        bus,
        stream: bus.topology.streams.events,
        durable: bus.topology.consumers.eventResolver,
        schema: Stamp,
        log: silentLogger,
        backoffMs: () => 50,
        ...opts,
      });
      running.push(consumer);
      return consumer;
    },
    /** Stops a consumer the test started and forgets it. */
    async stopConsumer(consumer: RunningConsumer) {
      running.splice(running.indexOf(consumer), 1);
      await consumer.stop();
    },
  };
  return h;
}

/** Records every batch handed to the handler and how often each stamp was handled successfully. */
export function recorder(decide: (item: Stamp, call: number) => Outcome = () => done) {
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

/** A promise the test resolves when it wants: `hold.release()`. */
export function gate() {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  return { held, release };
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
export const once = (ns: number[]) => new Map(ns.map((n) => [n, 1]));
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
