import type { LoyaltyEvent } from "@regulars/contracts";
import { type Db, type DbTx, Prisma, type RawTx, sqlArray, withTransaction } from "@regulars/db";
import { announcedPseudonym, pseudonymiseErasedCustomers } from "./accounts/erased-events.ts";
import { stampAppliedOrder } from "./applied-order.ts";
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
 * relay if the process died in between). Ids are stable, so a replay writes nothing new. Tier changes are stamped
 * with the order they were applied in first (`stampAppliedOrder`).
 */
export async function writeOutbox(tx: RawTx, written: OutboxItem[]): Promise<void> {
  await stampAppliedOrder(tx, written);
  const items = written.map(storedForm);
  const [only] = items;
  if (!only) return;
  // One row (a batch, most often) as plain parameters: a megabyte of JSON read out of an array literal first took
  // Postgres twice as long as the insert itself.
  if (items.length === 1) {
    await tx.$executeRaw`
      INSERT INTO outbox_events (id, tenant_id, type, payload)
      VALUES (${only.id}, ${only.tenantId}, ${only.type}, ${JSON.stringify(only.payload)}::jsonb)
      ON CONFLICT (id) DO NOTHING`;
    return;
  }
  await tx.$executeRaw`
    INSERT INTO outbox_events (id, tenant_id, type, payload)
    SELECT id, tenant_id, type, payload::jsonb FROM unnest(${sqlArray(items.map((i) => i.id))}::text[], ${sqlArray(items.map((i) => i.tenantId))}::text[],
      ${sqlArray(items.map((i) => i.type))}::text[], ${sqlArray(items.map((i) => JSON.stringify(i.payload)))}::text[]) AS o(id, tenant_id, type, payload)
    ON CONFLICT (id) DO NOTHING`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const processedType = "transaction.processed";

/**
 * transaction.processed repeats the whole basket, which the stored transaction holds: its row (or its place in a batch
 * row) keeps a reference, and the relay rebuilds the event from the transaction (`relayUnpublished`). A writer hands
 * the whole event over, publishes it as it is, and stores this; for an erased customer's, also the pseudonym it was
 * announced under, which the stored transaction (naming the real id) cannot give back.
 */
const storedPayload = (type: string, payload: unknown): unknown =>
  type === processedType && isRecord(payload) && typeof payload.transactionId === "string"
    ? { ref: payload.transactionId, ...announcedPseudonym(payload) }
    : payload;

/** A transaction.processed event as its outbox row keeps it (`storedPayload`). */
interface StoredProcessed {
  ref: string;
  pseudonym?: string;
}

function storedForm(item: OutboxItem): OutboxItem {
  if (item.type === processedType) return { ...item, payload: storedPayload(item.type, item.payload) };
  if (item.type !== outboxBatchType) return item;
  const batch = item.payload as BatchPayload;
  if (!batch.events.some((e) => e.type === processedType)) return item;
  const events = batch.events.map((e) => ({ ...e, payload: storedPayload(e.type, e.payload) }));
  return { ...item, payload: { ...batch, events } };
}

/** The type of an outbox row that holds many events (`outboxBatch`); never published itself. */
export const outboxBatchType = "outbox.batch";

/** A batch row's payload: what every event's payload has in common, once, and each event with the rest of its own. */
interface BatchPayload {
  shared: Record<string, unknown>;
  events: { id: string; type: string; payload: unknown }[];
}

/** The fields whose value every payload shares (a broadcast's campaign, version, occurrence, time, tenant). */
function sharedFields(payloads: readonly unknown[]): Record<string, unknown> {
  const [first] = payloads;
  if (!isRecord(first) || !payloads.every(isRecord)) return {};
  const shared: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(first)) {
    const json = JSON.stringify(value);
    if ((payloads as Record<string, unknown>[]).every((p) => key in p && JSON.stringify(p[key]) === json))
      shared[key] = value;
  }
  return shared;
}

/**
 * Many events as one outbox row per tenant, for a writer that makes hundreds or thousands per transaction: a
 * broadcast's planning announces 4,000 enrolments per chunk, a ledger batch two events per sale. One row instead of
 * 4,000, each with its index entries, written and then marked published, was a fifth of Postgres's work while a
 * broadcast was planned; the fields the events share are stored once, which halves the row. Publishing expands the
 * row into its events (`expandOutbox`), each with its own id and whole payload, so the stream, the consumers and
 * JetStream's de-duplication see exactly what separate rows would have given. A row's id names its first event and
 * the count: the same batch written again is the same row. A tenant's single event stays a row of its own; each
 * tenant's events keep their order.
 */
export function outboxBatch(items: OutboxItem[]): OutboxItem[] {
  if (items.some((i) => i.type === outboxBatchType)) throw new Error("an outbox batch holds events, not batches");
  const byTenant = new Map<string, OutboxItem[]>();
  for (const item of items) {
    const own = byTenant.get(item.tenantId);
    if (own) own.push(item);
    else byTenant.set(item.tenantId, [item]);
  }
  return [...byTenant.values()].flatMap(tenantBatch);
}

function tenantBatch(items: OutboxItem[]): OutboxItem[] {
  const [first] = items;
  if (!first || items.length === 1) return items;
  // A transaction.processed event is stored as a reference (`storedForm`): nothing of it to share.
  const shared = items.some((i) => i.type === processedType) ? {} : sharedFields(items.map((i) => i.payload));
  const keys = Object.keys(shared);
  const own = (payload: unknown) => {
    if (!keys.length) return payload;
    const rest = { ...(payload as Record<string, unknown>) };
    for (const key of keys) delete rest[key];
    return rest;
  };
  const payload: BatchPayload = {
    shared,
    events: items.map((i) => ({ id: i.id, type: i.type, payload: own(i.payload) })),
  };
  return [{ id: `batch:${first.id}:${items.length}`, tenantId: first.tenantId, type: outboxBatchType, payload }];
}

/** The events to publish: batch rows expanded into theirs (whole payloads again), other items as they are. */
export function expandOutbox(items: readonly OutboxItem[]): OutboxItem[] {
  return items.flatMap((item) => {
    if (item.type !== outboxBatchType) return [item];
    const { shared, events } = item.payload as BatchPayload;
    const whole = Object.keys(shared).length > 0;
    return events.map((e) => ({
      id: e.id,
      tenantId: item.tenantId,
      type: e.type,
      payload: whole ? { ...shared, ...(e.payload as Record<string, unknown>) } : e.payload,
    }));
  });
}

interface OutboxRow {
  id: string;
  tenant_id: string;
  type: string;
  payload: unknown;
}

const itemOfRow = (r: OutboxRow): OutboxItem => ({ id: r.id, tenantId: r.tenant_id, type: r.type, payload: r.payload });

/** Events one relay pass publishes at most (batch rows are not cut: one may take a pass past it). */
const RELAY_EVENTS = 10_000;

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
 * events keep only a reference (`storedPayload`); the event is rebuilt from the stored transaction, which is the truth.
 * `tenantId` limits the pass to one tenant's rows (a process publishing what it has just committed). Batch rows
 * are published as their events. Returns the number of events published: a pass that publishes 1,000 or more may
 * have left some for the next.
 */
export async function relayUnpublished(
  db: Db,
  graceMs: number,
  publish: (items: OutboxItem[]) => Promise<void>,
  tenantId: string | null = null,
): Promise<number> {
  return withTransaction(db, async (tx) => {
    const rows = await tx.$queryRaw<OutboxRow[]>`
      SELECT id, tenant_id, type, payload FROM outbox_events
      WHERE published_at IS NULL AND created_at <= now() - make_interval(secs => ${graceMs / 1000})
        AND (${tenantId}::text IS NULL OR tenant_id = ${tenantId})
      ORDER BY created_at LIMIT 1000 FOR UPDATE SKIP LOCKED`;
    if (!rows.length) return 0;
    // Rows past the pass's share of events stay for the next pass (their locks go with this transaction).
    let events = 0;
    const taken = rows.filter((r) => {
      if (events >= RELAY_EVENTS) return false;
      events += r.type === outboxBatchType ? (r.payload as BatchPayload).events.length : 1;
      return true;
    });
    const expanded = expandOutbox(taken.map(itemOfRow));
    const stored = expanded.filter((e) => e.type === processedType);
    const refOf = (e: OutboxItem) => (e.payload as StoredProcessed).ref;
    const rebuilt = await loadProcessedEvents(db, stored.map(refOf));
    // Rebuilt from the stored transaction, a sale or refund names its customer's real id: one erased since is
    // announced as a writer would have announced it, one erased before the crash under the pseudonym its writer chose
    // (kept in the row). Every other row is published as its writer judged it (erasure's own customer.erased names the
    // erased id, and must go out).
    const announced = new Map(
      stored.flatMap((e) => {
        const { pseudonym } = e.payload as StoredProcessed;
        return pseudonym ? [[e.id, pseudonym] as const] : [];
      }),
    );
    const processed = await pseudonymiseErasedCustomers(
      tx,
      stored.map((e) => ({ ...e, payload: rebuilt.get(refOf(e)) })),
      announced,
    );
    const processedById = new Map(processed.map((e) => [e.id, e]));
    await publish(expanded.flatMap((e) => (e.type === processedType ? (processedById.get(e.id) ?? []) : [e])));
    await markPublished(
      tx,
      taken.map((r) => r.id),
    );
    return events;
  });
}

/**
 * Published outbox rows are kept a week (for diagnosis and the relay's duplicate window), then deleted;
 * only the given tenants' when a pass is limited to some (null: every tenant). An expiry notice is kept until
 * the expiry it announced has passed: its row is how the notice job knows it announced that expiry, and the
 * notice period (14 days by default, up to 90) outlasts the week.
 */
export async function pruneOutbox(
  db: Db,
  now: Date,
  opts: { keepDays?: number; tenantIds?: string[] } = {},
): Promise<number> {
  const before = new Date(now.getTime() - (opts.keepDays ?? 7) * 24 * 60 * 60 * 1000);
  let deleted = 0;
  for (const statement of pruneStatements(before, now, opts.tenantIds ?? null)) {
    for (;;) {
      const n = await db.$executeRaw(statement);
      deleted += n;
      if (n < PRUNE_SLICE) break;
    }
  }
  return deleted;
}

const PRUNE_SLICE = 10_000;

/**
 * What a prune deletes, a slice at a time: published rows older than `before` through
 * `outbox_events_published_idx`, and expiry notices published before it whose expiry passed through
 * `outbox_events_notice_expiry_idx` (migration 0028): without them every pass read the whole table. A notice's
 * row is what keeps it from being written again: it names a customer's local day, and `expiresAt` is that day's
 * first expiry, so it stays until every lot of that day has expired (two days after, whatever the zone and DST).
 */
export function pruneStatements(before: Date, now: Date, tenants: string[] | null): Prisma.Sql[] {
  const ofTenants = Prisma.sql`(${tenants}::text[] IS NULL OR tenant_id = ANY(${tenants}::text[]))`;
  const noticeDayOver = new Date(now.getTime() - 2 * 24 * 60 * 60 * 1000).toISOString();
  return [
    Prisma.sql`
      DELETE FROM outbox_events WHERE id IN (
        SELECT id FROM outbox_events
        WHERE published_at IS NOT NULL AND type <> 'points.expiring' AND published_at < ${before} AND ${ofTenants}
        LIMIT ${PRUNE_SLICE})`,
    Prisma.sql`
      DELETE FROM outbox_events WHERE id IN (
        SELECT id FROM outbox_events
        WHERE published_at IS NOT NULL AND type = 'points.expiring'
          AND (payload->>'expiresAt' < ${noticeDayOver} OR payload->>'expiresAt' IS NULL)
          AND published_at < ${before} AND ${ofTenants}
        LIMIT ${PRUNE_SLICE})`,
  ];
}

/**
 * A tenant's domain events as the outbox holds them, batch rows expanded, oldest first; only those of `type` when
 * given. transaction.processed events read as their references. For diagnosis: which events a change committed.
 */
export async function outboxEventsOf(
  db: Db | DbTx,
  tenantId: string,
  type: string | null = null,
): Promise<OutboxItem[]> {
  const rows = await db.$queryRaw<OutboxRow[]>`
    SELECT id, tenant_id, type, payload FROM outbox_events
    WHERE tenant_id = ${tenantId} AND (${type}::text IS NULL OR type = ${type} OR type = ${outboxBatchType})
    ORDER BY created_at, id`;
  const events = expandOutbox(rows.map(itemOfRow));
  return type === null ? events : events.filter((e) => e.type === type);
}

/** Whether the tenant has committed events nobody published yet (one read of the unpublished rows' index). */
export async function hasUnpublished(db: Db, tenantId: string): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM outbox_events WHERE published_at IS NULL AND tenant_id = ${tenantId} LIMIT 1`;
  return rows.length > 0;
}

/**
 * Committed domain events not yet published, each event of a batch counted: what the relay still has to do (a metric
 * for SREs).
 */
export async function outboxBacklog(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`
    SELECT coalesce(sum(CASE WHEN type = ${outboxBatchType} THEN jsonb_array_length(payload->'events') ELSE 1 END), 0)::int8 AS n
    FROM outbox_events WHERE published_at IS NULL`;
  return Number(row?.n ?? 0);
}
