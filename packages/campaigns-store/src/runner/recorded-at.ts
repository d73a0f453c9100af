import type { DomainEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";

/**
 * The sale or refund an event was derived from: named by the event, or by a tier change's id
 * (`tier:<customer>:<transaction>`, `tier:<customer>:refund:<transaction>`). A tier change of the downgrade job or
 * an admin's floor names none: it carries our time already.
 */
export function transactionOf(event: DomainEvent): string | null {
  if ("transactionId" in event && event.transactionId) return event.transactionId;
  if (event.type !== "tier.changed") return null;
  return /^tier:[^:]+:(?:refund:)?([^:]+)$/.exec(event.id)?.[1] ?? null;
}

/**
 * When an event became known to us, the moment `listensTo` compares with a campaign's start. A sale's events (its
 * `transaction.processed`, the points, milestones and tier changes it caused) carry the sale's time, and a till
 * uploads up to 35 days late: what it causes after the go-live is new to the campaign, and the crossing is never
 * announced again. They count from when the ledger processed the sale (the milestone from when that crossing was
 * recorded, not from a later fall below it), read from what the ledger stored, so a new durable reading the stream
 * from its start still skips what was processed before; `now`, the time the event is read, if the ledger has no such
 * row. Every other event counts from its `occurredAt`, the real moment (an app's event, a sign-up).
 */
export async function recordedAt(db: Db, event: DomainEvent, now: Date): Promise<number> {
  if (event.type === "points.milestone") {
    const [row] = await db.$queryRaw<{ at: Date }[]>`
      SELECT crossed_at AS at FROM milestone_crossings
      WHERE tenant_id = ${event.tenantId} AND customer_id = ${event.customerId}
        AND threshold = ${event.threshold} AND crossing = ${event.crossing}`;
    return (row?.at ?? now).getTime();
  }
  const transactionId = transactionOf(event);
  if (transactionId === null) return Date.parse(event.occurredAt);
  const [row] = await db.$queryRaw<{ at: Date }[]>`
    SELECT processed_at AS at FROM transactions WHERE id = ${transactionId} AND tenant_id = ${event.tenantId}`;
  return (row?.at ?? now).getTime();
}
