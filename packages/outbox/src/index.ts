import type { Bus, DeadLetterInfo } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { expandOutbox, hasUnpublished, markPublished, type OutboxItem, relayUnpublished } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { type DeadLetterSink, publishEvents } from "./publish-events.ts";

export { type DeadLetterSink, permanentRefusal } from "./publish-events.ts";

/**
 * Through the connection's coalescing publisher: a batch's events go out in one write and are acked together. Batch
 * rows (`outboxBatch`) go out as their events. An event NATS refuses for good is dead-lettered (`publishEvents`).
 */
const publishItems = (bus: Bus, items: OutboxItem[], sink: DeadLetterSink) =>
  publishEvents(bus, expandOutbox(items), sink);

/** Publishes committed domain events (JetStream de-duplicates by id) and marks their rows published. */
export async function publishOutbox(db: Db, bus: Bus, items: OutboxItem[], sink: DeadLetterSink): Promise<void> {
  if (!items.length) return;
  await publishItems(bus, items, sink);
  await markPublished(
    db,
    items.map((i) => i.id),
  );
}

/** Publishes, every `intervalMs`, what a crash left committed but unpublished in the outbox. */
export function startOutboxRelay(opts: {
  db: Db;
  bus: Bus;
  log: Logger;
  intervalMs?: number;
  graceMs?: number;
  onDeadLetter?: (info: DeadLetterInfo) => void;
}): {
  stop(): Promise<void>;
} {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const published = await relayUnpublished(opts.db, opts.graceMs ?? 5_000, (items) =>
      publishItems(opts.bus, items, opts),
    );
    if (published) opts.log.info({ published }, "outbox relay published events left behind");
  };
  const timer = setInterval(() => {
    running = running
      .then(() => (stopped ? undefined : tick()))
      .catch((e) => opts.log.warn({ err: e }, "outbox relay failed; will retry"));
  }, opts.intervalMs ?? 2_000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export interface OutboxFlusher {
  /** Publishes what the tenant has committed to the outbox and nobody published yet; returns at once. */
  flush(tenantId: string): void;
  /** Waits for the passes under way; later flushes are ignored. */
  stop(): Promise<void>;
}

/**
 * For writers with no publisher of their own (the API's procedures write events in their transactions and
 * return): without it their events would wait for the relay's grace. One pass per tenant at a time, and
 * one more if asked meanwhile, so a burst of calls costs a couple of passes. A pass first asks whether the
 * tenant has anything unpublished (one indexed read); most calls write no events. Rows another process is
 * about to publish itself may go twice: JetStream de-duplicates by id and every consumer is idempotent.
 */
export function startOutboxFlusher(opts: {
  db: Db;
  bus: Bus;
  log: Logger;
  onDeadLetter?: (info: DeadLetterInfo) => void;
}): OutboxFlusher {
  let stopped = false;
  const passes = new Map<string, { again: boolean; done: Promise<void> }>();
  const pass = async (tenantId: string, state: { again: boolean }) => {
    do {
      state.again = false;
      try {
        if (!(await hasUnpublished(opts.db, tenantId))) continue;
        const published = await relayUnpublished(opts.db, 0, (items) => publishItems(opts.bus, items, opts), tenantId);
        if (published >= 1000) state.again = true;
      } catch (e) {
        opts.log.warn({ err: e, tenantId }, "publishing committed events failed; the outbox relay will retry");
      }
    } while (state.again && !stopped);
    passes.delete(tenantId);
  };
  return {
    flush(tenantId) {
      if (stopped) return;
      const running = passes.get(tenantId);
      if (running) {
        running.again = true;
        return;
      }
      const state = { again: false, done: Promise.resolve() };
      passes.set(tenantId, state);
      state.done = pass(tenantId, state);
    },
    async stop() {
      stopped = true;
      await Promise.all([...passes.values()].map((p) => p.done));
    },
  };
}
