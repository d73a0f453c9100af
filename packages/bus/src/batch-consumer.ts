import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { Logger } from "@regulars/logger";
import type { z } from "zod";
import type { Bus } from "./connection.ts";
import { deadLetter } from "./dead-letter.ts";

/** What a handler says about each message of a batch, in order. */
export type Outcome =
  | { kind: "done" }
  /** Transient (a dependency is down, a referenced record has not arrived yet): try again later. */
  | { kind: "retry"; reason: string }
  /** Can never succeed: dead-letter now with the reason. */
  | { kind: "reject"; reason: string };

export const done: Outcome = { kind: "done" };

export interface BatchConsumerOptions<T> {
  bus: Bus;
  stream: string;
  durable: string;
  schema: z.ZodType<T>;
  /** Must return one outcome per item. Throwing means "retry the whole batch". */
  handle: (items: T[]) => Promise<Outcome[]>;
  maxBatch?: number;
  maxDeliver?: number;
  /** Delay before a retried message comes back; grows with each delivery. */
  backoffMs?: (deliveryCount: number) => number;
  log: Logger;
  onBatch?: (stats: { size: number; ms: number; failed: number }) => void;
}

export interface RunningConsumer {
  stop(): Promise<void>;
}

const defaultBackoff = (n: number) => Math.min(500 * 2 ** (n - 1), 60_000);

/**
 * Pulls messages continuously and hands them to `handle` in batches, one batch at a time, so one
 * customer's messages apply in stream order. Messages are acknowledged only after `handle` resolved,
 * i.e. after the handler's database commit; a crash before that means redelivery, which handlers make
 * harmless with idempotency keys. Unparseable and rejected messages go to the dead-letter subject.
 */
export async function startBatchConsumer<T>(opts: BatchConsumerOptions<T>): Promise<RunningConsumer> {
  const maxBatch = opts.maxBatch ?? 500;
  const maxDeliver = opts.maxDeliver ?? 6;
  const backoff = opts.backoffMs ?? defaultBackoff;
  const buffer: JsMsg[] = [];
  // Each side parks here while it has nothing to do; the other side wakes it.
  const wake: { processor: (() => void) | null; puller: (() => void) | null } = { processor: null, puller: null };
  let stopping = false;

  const consumer = await opts.bus.js.consumers.get(opts.stream, opts.durable);
  // Iterator mode, not callback mode: the client pulls more only as we take messages from the
  // iterator, so waiting here while the buffer is full bounds what sits unprocessed (and ages towards
  // its ack deadline) to about two batches, however far behind the consumer is.
  const messages: ConsumerMessages = await consumer.consume({ max_messages: maxBatch });
  const puller = (async () => {
    for await (const m of messages) {
      buffer.push(m);
      wake.processor?.();
      while (buffer.length >= maxBatch && !stopping) await new Promise<void>((r) => (wake.puller = r));
      wake.puller = null;
    }
  })();

  const giveUp = async (m: JsMsg, reason: string) => {
    try {
      await deadLetter(opts.bus, opts.durable, opts.stream, m, reason);
      m.term();
      opts.log.warn({ consumer: opts.durable, seq: m.info.streamSequence, reason }, "message dead-lettered");
    } catch (e) {
      opts.log.error({ err: e, seq: m.info.streamSequence }, "dead-letter publish failed; will retry");
      m.nak(backoff(m.info.deliveryCount));
    }
  };

  const settle = async (m: JsMsg, outcome: Outcome) => {
    if (outcome.kind === "done") return m.ack();
    if (outcome.kind === "reject") return giveUp(m, outcome.reason);
    if (m.info.deliveryCount >= maxDeliver) return giveUp(m, `gave up after ${m.info.deliveryCount} deliveries: ${outcome.reason}`);
    opts.log.info({ consumer: opts.durable, seq: m.info.streamSequence, reason: outcome.reason }, "message will be retried");
    m.nak(backoff(m.info.deliveryCount));
  };

  const processBatch = async (batch: JsMsg[]) => {
    const started = performance.now();
    const parsed: { msg: JsMsg; data: T }[] = [];
    const settling: Promise<unknown>[] = [];
    for (const msg of batch) {
      let json: unknown;
      try {
        json = msg.json();
      } catch {
        settling.push(giveUp(msg, "payload is not valid JSON"));
        continue;
      }
      const result = opts.schema.safeParse(json);
      if (result.success) parsed.push({ msg, data: result.data });
      else settling.push(giveUp(msg, `payload does not match the contract: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`));
    }
    let outcomes: Outcome[];
    try {
      outcomes = parsed.length ? await opts.handle(parsed.map((p) => p.data)) : [];
      if (outcomes.length !== parsed.length) throw new Error(`handler returned ${outcomes.length} outcomes for ${parsed.length} messages`);
    } catch (e) {
      opts.log.error({ err: e, consumer: opts.durable, size: parsed.length }, "batch failed; messages will be retried");
      outcomes = parsed.map(() => ({ kind: "retry", reason: (e as Error).message }));
    }
    parsed.forEach((p, i) => settling.push(settle(p.msg, outcomes[i]!)));
    await Promise.all(settling);
    opts.onBatch?.({ size: batch.length, ms: performance.now() - started, failed: outcomes.filter((o) => o.kind !== "done").length });
  };

  const loop = (async () => {
    while (!stopping) {
      if (buffer.length === 0) {
        await new Promise<void>((r) => {
          wake.processor = r;
          setTimeout(r, 250);
        });
        wake.processor = null;
        continue;
      }
      const batch = buffer.splice(0, maxBatch);
      wake.puller?.();
      await processBatch(batch);
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake.processor?.();
      wake.puller?.();
      messages.stop();
      await Promise.all([loop, puller]);
      // The server still holds the pull requests of the stopped iterator and would route our naks'
      // redeliveries to them; a consumer info request makes it drop them first.
      await opts.bus.jsm.consumers.info(opts.stream, opts.durable).catch(() => undefined);
      // Hand back what was pulled but not processed, so another instance picks it up at once.
      for (const m of buffer.splice(0)) m.nak();
    },
  };
}
