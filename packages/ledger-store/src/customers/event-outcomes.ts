import { EventMessage, EventRejectionCode, type EventStatusView, eventFingerprint } from "@regulars/contracts";
import { type Db, type DbTx, exactNumber, sqlArray } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { type DeadLetteredMessage, rejectionOf } from "../transactions/dead-letters.ts";

/** What the resolver decided about one event: recorded (for a customer or none, with its points) or refused. */
export type EventOutcome = { message: EventMessage; bodyHash: string } & (
  | { status: "processed"; customerId: string | null; points: number }
  | { status: "rejected"; reason: string }
);

/** The codes the resolver itself refuses with; dead letters add contract_violation and processing_failed. */
const resolverCodes: ReadonlySet<string> = new Set(["unknown_customer", "idempotency_conflict"]);

/**
 * The refusals of dead-lettered events that a replay decides afresh: those only `recordDeadLetteredEvent` writes (the
 * resolver gave up on the event, it decided nothing), and `unknown_customer`, whose cause goes away once the customer
 * exists. Such a row tells the integrator why until the event is replayed from the dead-letter stream; then the
 * resolver decides it. A redelivery or a re-post of the same body cannot be told from a replay and is decided afresh
 * too, as a refused sale posted again is.
 */
export const deadLetterCodes: readonly string[] = ["contract_violation", "processing_failed", "unknown_customer"];

/**
 * A row stored for an event: the fingerprint of the body decided, or of the body dead-lettered (null when stored before
 * fingerprints were kept, or when the dead-lettered payload was unreadable).
 */
export interface DecidedEvent {
  bodyHash: string | null;
  /** Refused with one of `deadLetterCodes`: no decision, but its body is the eventId's first, so another is a conflict. */
  deadLettered: boolean;
}

/**
 * Serialises the deciding of each event across resolver transactions, for the rest of the caller's transaction: a
 * redelivery after the ack wait, or a second replica, handed an eventId the first is still deciding waits here, then
 * reads that decision (`decidedEvents`): the same body changes nothing, another is a conflict. The customer's lock
 * orders only events that pay somebody, and two bodies may name two customers. Transaction-scoped advisory locks,
 * taken before any customer's lock and in one sorted statement, so two batches never wait for each other in opposite
 * orders.
 */
export async function lockEvents(tx: DbTx, events: EventMessage[]): Promise<void> {
  const keys = [...new Set(events.map((e) => `event:${e.tenantId}:${e.id}`))].sort();
  if (keys.length)
    await tx.$queryRaw`SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) FROM (SELECT unnest(${sqlArray(keys)}::text[]) AS k ORDER BY 1) AS events`;
}

/**
 * What is stored of these events, by `tenantId\0id`: the resolver's decisions and the dead letters' rows. A dead
 * letter decided nothing: a replay of its body is decided afresh, yet a later body under its eventId is a conflict.
 */
export async function decidedEvents(tx: DbTx, events: EventMessage[]): Promise<Map<string, DecidedEvent>> {
  if (!events.length) return new Map();
  const rows = await tx.$queryRaw<
    { tenant_id: string; event_id: string; body_hash: string | null; dead_lettered: boolean }[]
  >`
    SELECT a.tenant_id, a.event_id, a.body_hash,
      (a.status = 'rejected' AND a.reason_code = ANY(${deadLetterCodes}::text[])) AS dead_lettered
    FROM applied_events a
    JOIN unnest(${events.map((e) => e.tenantId)}::text[], ${events.map((e) => e.id)}::text[]) AS w(tenant_id, event_id)
      ON a.tenant_id = w.tenant_id AND a.event_id = w.event_id`;
  return new Map(
    rows.map((r) => [`${r.tenant_id}\u0000${r.event_id}`, { bodyHash: r.body_hash, deadLettered: r.dead_lettered }]),
  );
}

/**
 * Stores each event's outcome in the resolver's transaction (`applied_events`), with the fingerprint of its body.
 * The first decision stands: a redelivery, or a second copy in the batch, changes nothing. A dead letter's row
 * (`deadLetterCodes`) is no decision: a replayed event's outcome takes its place. A refused conflict decided nothing
 * either: it is only counted (`recordEventConflicts`) on the row it conflicts with, which it must not replace, a dead
 * letter's included (that body came first: replayed, it is decided).
 */
export async function recordEventOutcomes(tx: DbTx, outcomes: EventOutcome[]): Promise<void> {
  const byKey = new Map<string, EventOutcome>();
  for (const o of outcomes) {
    const key = `${o.message.tenantId}\u0000${o.message.id}`;
    if (isConflict(o)) continue;
    if (!byKey.has(key)) byKey.set(key, o); // the copy that paid comes first; later copies paid nothing
  }
  const first = [...byKey.values()];
  if (!first.length) return;
  const reasons = first.map((o) => (o.status === "rejected" ? rejectionOf(o.reason, resolverCodes) : null));
  await tx.$executeRaw`
    INSERT INTO applied_events AS a
      (tenant_id, event_id, status, customer_id, points, reason_code, reason_message, body_hash)
    SELECT * FROM unnest(
      ${sqlArray(first.map((o) => o.message.tenantId))}::text[], ${sqlArray(first.map((o) => o.message.id))}::text[],
      ${sqlArray(first.map((o) => o.status))}::text[],
      ${sqlArray(first.map((o) => (o.status === "processed" ? o.customerId : null)))}::text[],
      ${sqlArray(first.map((o) => (o.status === "processed" ? o.points : 0)))}::bigint[],
      ${sqlArray(reasons.map((r) => r?.code ?? null))}::text[], ${sqlArray(reasons.map((r) => r?.message ?? null))}::text[],
      ${sqlArray(first.map((o) => o.bodyHash))}::text[])
    ON CONFLICT (tenant_id, event_id) DO UPDATE SET
      status = excluded.status, customer_id = excluded.customer_id, points = excluded.points,
      reason_code = excluded.reason_code, reason_message = excluded.reason_message, body_hash = excluded.body_hash,
      applied_at = now()
    WHERE a.status = 'rejected' AND a.reason_code = ANY(${deadLetterCodes}::text[])`;
}

function isConflict(o: EventOutcome): boolean {
  return o.status === "rejected" && rejectionOf(o.reason, resolverCodes).code === "idempotency_conflict";
}

/**
 * Counts a body refused under a decided eventId (`idempotency_conflict`), once per distinct body, as the ledger keeps
 * a sale's conflicts by body hash: a redelivered conflict changes nothing. The decision itself stands.
 */
export async function recordEventConflicts(
  tx: DbTx,
  conflicts: { tenantId: string; id: string; bodyHash: string }[],
): Promise<void> {
  if (!conflicts.length) return;
  await tx.$executeRaw`
    UPDATE applied_events a
    SET conflict_hashes = a.conflict_hashes || ARRAY(SELECT h FROM unnest(c.hashes) h WHERE h <> ALL(a.conflict_hashes))
    FROM (
      -- One row per event: an UPDATE takes a single joined row for each row it changes.
      SELECT tenant_id, event_id, array_agg(DISTINCT body_hash) AS hashes FROM unnest(
        ${sqlArray(conflicts.map((c) => c.tenantId))}::text[], ${sqlArray(conflicts.map((c) => c.id))}::text[],
        ${sqlArray(conflicts.map((c) => c.bodyHash))}::text[]) AS u(tenant_id, event_id, body_hash)
      GROUP BY tenant_id, event_id
    ) c
    WHERE a.tenant_id = c.tenant_id AND a.event_id = c.event_id AND NOT (c.hashes <@ a.conflict_hashes)`;
}

/**
 * An event the resolver gave up on (it could not be read, or failed on its own after its retries) is recorded as
 * rejected with the reason, so the integrator reads what happened instead of it vanishing into the dead-letter
 * stream. A no-op for events decided before, refusals the resolver made itself included.
 */
export async function recordDeadLetteredEvent(db: Db | DbTx, info: DeadLetteredMessage): Promise<void> {
  let raw: { tenantId?: unknown; id?: unknown; event?: { eventId?: unknown } } | null = null;
  try {
    raw = JSON.parse(info.payload);
  } catch {
    return; // nothing to attribute it to
  }
  const tenantId = typeof raw?.tenantId === "string" ? raw.tenantId : null;
  const id =
    typeof raw?.id === "string"
      ? raw.id
      : tenantId && typeof raw?.event?.eventId === "string"
        ? stableId("event", tenantId, raw.event.eventId)
        : null;
  if (!tenantId || !id) return;
  const { code, message } = rejectionOf(info.reason, resolverCodes, info.category);
  // The body's fingerprint, as the resolver takes it: the eventId is this body's, and another posted later conflicts.
  const parsed = EventMessage.safeParse(raw);
  const bodyHash = parsed.success ? eventFingerprint(parsed.data.event) : null;
  await db.$executeRaw`
    INSERT INTO applied_events (tenant_id, event_id, status, reason_code, reason_message, body_hash)
    VALUES (${tenantId}, ${id}, 'rejected', ${code}, ${message}, ${bodyHash})
    ON CONFLICT (tenant_id, event_id) DO NOTHING`;
}

/** What became of the tenant's event `eventId` (as the integrator posted it), or null while nothing is decided. */
export async function eventStatus(db: Db, tenantId: string, eventId: string): Promise<EventStatusView | null> {
  const id = stableId("event", tenantId, eventId);
  const [row] = await db.$queryRaw<
    {
      status: string;
      customer_id: string | null;
      points: bigint;
      reason_code: string | null;
      reason_message: string | null;
      applied_at: Date;
      conflicts: number;
    }[]
  >`SELECT status, customer_id, points, reason_code, reason_message, applied_at,
      cardinality(conflict_hashes) AS conflicts
    FROM applied_events WHERE tenant_id = ${tenantId} AND event_id = ${id}`;
  if (!row) return null;
  const decidedAt = row.applied_at.toISOString();
  const conflicts = Number(row.conflicts);
  if (row.status === "rejected") {
    const code = EventRejectionCode.safeParse(row.reason_code);
    return {
      status: "rejected",
      eventId,
      id,
      reason: { code: code.success ? code.data : "processing_failed", message: row.reason_message ?? "" },
      decidedAt,
      conflicts,
    };
  }
  return {
    status: "processed",
    eventId,
    id,
    customerId: row.customer_id,
    pointsAwarded: exactNumber(row.points),
    decidedAt,
    conflicts,
  };
}
