import { type Bus, publishMany } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { markPublished, type OutboxItem, relayUnpublished } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

const publishItems = (bus: Bus, items: OutboxItem[]) =>
  publishMany(
    bus.js,
    items.map((i) => ({ subject: bus.topology.subjects.domain(i.tenantId, i.type), payload: i.payload, msgId: i.id })),
  );

/** Publishes committed domain events (JetStream de-duplicates by id) and marks them published. */
export async function publishOutbox(db: Db, bus: Bus, items: OutboxItem[]): Promise<void> {
  if (!items.length) return;
  await publishItems(bus, items);
  await markPublished(
    db,
    items.map((i) => i.id),
  );
}

/** Publishes, every `intervalMs`, what a crash left committed but unpublished in the outbox. */
export function startOutboxRelay(opts: { db: Db; bus: Bus; log: Logger; intervalMs?: number; graceMs?: number }): {
  stop(): Promise<void>;
} {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const published = await relayUnpublished(opts.db, opts.graceMs ?? 5_000, (items) => publishItems(opts.bus, items));
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
