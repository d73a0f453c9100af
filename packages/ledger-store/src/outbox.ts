import type { LoyaltyEvent } from "@regulars/contracts";
import { type Db, type DbTx, sqlArray, withTransaction } from "@regulars/db";
import { loadProcessedEvents } from "./transactions/processed-event.ts";

export interface OutboxItem {
  id: string;
  tenantId: string;
  type: string;
  payload: unknown;
}

/**
 * Domain events are written in the same database transaction as the change they announce, so an
 * event exists exactly when its change was committed; they are published after the commit (and by a
 * relay if the process died in between). Ids are stable, so a replay writes nothing new.
 */
export async function writeOutbox(tx: DbTx, items: OutboxItem[]): Promise<void> {
  if (!items.length) return;
  await tx.$executeRaw`
    INSERT INTO outbox_events (id, tenant_id, type, payload)
    SELECT id, tenant_id, type, payload::jsonb FROM unnest(${sqlArray(items.map((i) => i.id))}::text[], ${sqlArray(items.map((i) => i.tenantId))}::text[],
      ${sqlArray(items.map((i) => i.type))}::text[], ${sqlArray(items.map((i) => JSON.stringify(i.payload)))}::text[]) AS o(id, tenant_id, type, payload)
    ON CONFLICT (id) DO NOTHING`;
}

export const outboxItem = (event: LoyaltyEvent | { id: string; tenantId: string; type: string }): OutboxItem => ({
  id: event.id,
  tenantId: event.tenantId,
  type: event.type,
  payload: event,
});

export async function markPublished(db: Db | DbTx, ids: string[]): Promise<void> {
  if (ids.length)
    await db.$executeRaw`UPDATE outbox_events SET published_at = now() WHERE id = ANY(${sqlArray(ids)}::text[])`;
}

/**
 * What a crash left in the outbox (committed, never published), oldest first, locked for the caller's
 * transaction: `publish` sends them, then they are marked published. Rows younger than `graceMs` are left
 * to the process that wrote them; SKIP LOCKED lets several relays share the work. transaction.processed
 * rows keep only a reference; the event is rebuilt from the stored transaction, which is the truth.
 * `tenantId` limits the pass to one tenant's rows (a process publishing what it has just committed).
 */
export async function relayUnpublished(
  db: Db,
  graceMs: number,
  publish: (items: OutboxItem[]) => Promise<void>,
  tenantId: string | null = null,
): Promise<number> {
  return withTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<{ id: string; tenant_id: string; type: string; payload: unknown }[]>`
      SELECT id, tenant_id, type, payload FROM outbox_events
      WHERE published_at IS NULL AND created_at <= now() - make_interval(secs => ${graceMs / 1000})
        AND (${tenantId}::text IS NULL OR tenant_id = ${tenantId})
      ORDER BY created_at LIMIT 1000 FOR UPDATE SKIP LOCKED`;
    if (!rows.length) return 0;
    const refOf = (r: { payload: unknown }) => (r.payload as { ref: string }).ref;
    const rebuilt = await loadProcessedEvents(db, rows.filter((r) => r.type === "transaction.processed").map(refOf));
    await publish(
      rows.map((r) => ({
        id: r.id,
        tenantId: r.tenant_id,
        type: r.type,
        payload: r.type === "transaction.processed" ? rebuilt.get(refOf(r)) : r.payload,
      })),
    );
    await markPublished(
      tx,
      rows.map((r) => r.id),
    );
    return rows.length;
  });
}

/**
 * Published outbox rows are kept a week (for diagnosis and the relay's duplicate window), then deleted;
 * only the given tenants' when a pass is limited to some (null: every tenant).
 */
export async function pruneOutbox(
  db: Db,
  now: Date,
  opts: { keepDays?: number; tenantIds?: string[] } = {},
): Promise<number> {
  const before = new Date(now.getTime() - (opts.keepDays ?? 7) * 24 * 60 * 60 * 1000);
  const tenants = opts.tenantIds ?? null;
  let deleted = 0;
  for (;;) {
    const n = await db.$executeRaw`
      DELETE FROM outbox_events WHERE id IN (
        SELECT id FROM outbox_events WHERE published_at IS NOT NULL AND published_at < ${before}
          AND (${tenants}::text[] IS NULL OR tenant_id = ANY(${tenants}::text[])) LIMIT 10000)`;
    deleted += n;
    if (n < 10_000) return deleted;
  }
}

/** Whether the tenant has committed events nobody published yet (one read of the unpublished rows' index). */
export async function hasUnpublished(db: Db, tenantId: string): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM outbox_events WHERE published_at IS NULL AND tenant_id = ${tenantId} LIMIT 1`;
  return rows.length > 0;
}

/** Committed domain events not yet published: what the relay still has to do (a metric for SREs). */
export async function outboxBacklog(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM outbox_events WHERE published_at IS NULL`;
  return Number(row?.n ?? 0);
}
