import { type Bus, publishMany } from "@regulars/bus";
import { type Db, withTransaction } from "@regulars/db";
import type { OutboxItem } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { loadProcessedEvents } from "../ledger/processed-event.ts";

/** Publishes committed domain events (JetStream de-duplicates by id) and marks them published. */
export async function publishOutbox(db: Db, bus: Bus, items: OutboxItem[]): Promise<void> {
  if (!items.length) return;
  await publishMany(
    bus.js,
    items.map((i) => ({ subject: bus.topology.subjects.domain(i.tenantId, i.type), payload: i.payload, msgId: i.id })),
  );
  const ids = items.map((i) => i.id);
  await db.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE id = ANY(${ids}::text[])`;
}

/**
 * Publishes what a crash left in the outbox (committed, never published). Rows younger than
 * `graceMs` are left to the worker that wrote them; SKIP LOCKED lets several relays share the work.
 */
export function startOutboxRelay(opts: { db: Db; bus: Bus; log: Logger; intervalMs?: number; graceMs?: number }): {
  stop(): Promise<void>;
} {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    const published = await withTransaction(opts.db, async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; tenant_id: string; type: string; payload: unknown }[]>`
        SELECT id, tenant_id, type, payload FROM outbox_events
        WHERE published_at IS NULL AND created_at < now() - make_interval(secs => ${(opts.graceMs ?? 5_000) / 1000})
        ORDER BY created_at LIMIT 1000 FOR UPDATE SKIP LOCKED`;
      if (!rows.length) return 0;
      const refs = rows
        .filter((r) => r.type === "transaction.processed")
        .map((r) => (r.payload as { ref: string }).ref);
      const rebuilt = await loadProcessedEvents(opts.db, refs);
      await publishMany(
        opts.bus.js,
        rows.map((r) => ({
          subject: opts.bus.topology.subjects.domain(r.tenant_id, r.type),
          payload: r.type === "transaction.processed" ? rebuilt.get((r.payload as { ref: string }).ref) : r.payload,
          msgId: r.id,
        })),
      );
      await tx.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE id = ANY(${rows.map((r) => r.id)}::text[])`;
      return rows.length;
    });
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
