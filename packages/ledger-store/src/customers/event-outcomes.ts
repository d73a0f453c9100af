import { type EventMessage, EventRejectionCode, type EventStatusView } from "@regulars/contracts";
import { type Db, type DbTx, exactNumber, sqlArray } from "@regulars/db";
import { stableId } from "@regulars/ids";
import { type DeadLetteredMessage, rejectionOf } from "../transactions/dead-letters.ts";

/** What the resolver decided about one event: recorded (for a customer or none, with its points) or refused. */
export type EventOutcome =
  | { message: EventMessage; status: "processed"; customerId: string | null; points: number }
  | { message: EventMessage; status: "rejected"; reason: string };

/** The codes the resolver itself refuses with; dead letters add contract_violation and processing_failed. */
const resolverCodes: ReadonlySet<EventRejectionCode> = new Set(["unknown_customer"]);

/**
 * Stores each event's outcome in the resolver's transaction (`applied_events`). The first decision stands: a
 * redelivery, or a second copy in the batch, changes nothing.
 */
export async function recordEventOutcomes(tx: DbTx, outcomes: EventOutcome[]): Promise<void> {
  const byKey = new Map<string, EventOutcome>();
  for (const o of outcomes) {
    const key = `${o.message.tenantId}\u0000${o.message.id}`;
    if (!byKey.has(key)) byKey.set(key, o); // the copy that paid comes first; later copies paid nothing
  }
  const first = [...byKey.values()];
  if (!first.length) return;
  const reasons = first.map((o) => (o.status === "rejected" ? rejectionOf(o.reason, resolverCodes) : null));
  await tx.$executeRaw`
    INSERT INTO applied_events (tenant_id, event_id, status, customer_id, points, reason_code, reason_message)
    SELECT * FROM unnest(
      ${sqlArray(first.map((o) => o.message.tenantId))}::text[], ${sqlArray(first.map((o) => o.message.id))}::text[],
      ${sqlArray(first.map((o) => o.status))}::text[],
      ${sqlArray(first.map((o) => (o.status === "processed" ? o.customerId : null)))}::text[],
      ${sqlArray(first.map((o) => (o.status === "processed" ? o.points : 0)))}::bigint[],
      ${sqlArray(reasons.map((r) => r?.code ?? null))}::text[], ${sqlArray(reasons.map((r) => r?.message ?? null))}::text[])
    ON CONFLICT (tenant_id, event_id) DO NOTHING`;
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
  await db.$executeRaw`
    INSERT INTO applied_events (tenant_id, event_id, status, reason_code, reason_message)
    VALUES (${tenantId}, ${id}, 'rejected', ${code}, ${message})
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
    }[]
  >`SELECT status, customer_id, points, reason_code, reason_message, applied_at FROM applied_events
    WHERE tenant_id = ${tenantId} AND event_id = ${id}`;
  if (!row) return null;
  const decidedAt = row.applied_at.toISOString();
  if (row.status === "rejected") {
    const code = EventRejectionCode.safeParse(row.reason_code);
    return {
      status: "rejected",
      eventId,
      id,
      reason: { code: code.success ? code.data : "processing_failed", message: row.reason_message ?? "" },
      decidedAt,
    };
  }
  return {
    status: "processed",
    eventId,
    id,
    customerId: row.customer_id,
    pointsAwarded: exactNumber(row.points),
    decidedAt,
  };
}
