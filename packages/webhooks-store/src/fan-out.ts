import type { Db } from "@regulars/db";
import { ulid } from "@regulars/ids";
import { envelopeOf, subscribes } from "@regulars/webhooks";
import { disabledError } from "./endpoints.ts";

/** What the fan-out needs of a domain event; the rest travels in the body as it is. */
export interface FanOutEvent extends Record<string, unknown> {
  type: string;
  id: string;
  tenantId: string;
  occurredAt: string;
}

/**
 * Rows per insert: a batch's deliveries are written a chunk at a time, so neither the statement nor the arrays
 * bound to it grow with the batch times the tenant's endpoints.
 */
const fanOutChunk = 1_000;

interface Chunk {
  id: string[];
  tenant: string[];
  endpoint: string[];
  event: string[];
  type: string[];
  payload: string[];
  status: string[];
  error: (string | null)[];
}

const emptyChunk = (): Chunk => ({
  id: [],
  tenant: [],
  endpoint: [],
  event: [],
  type: [],
  payload: [],
  status: [],
  error: [],
});

/**
 * Turns domain events into deliveries, one per endpoint of the event's tenant that subscribes to its type, a
 * chunk of rows per statement. Keyed by (endpoint, event): an event the stream delivers again is not enqueued
 * again, so a batch that fails half-way is simply fanned out again. An event for a disabled endpoint is not
 * dropped: it is kept as a failed delivery naming why (as what was waiting when it was switched off), in the
 * failed list, replayed once the endpoint is on again. Nothing is sent here; returns how many new deliveries are
 * to be sent (the pending ones: what a sender is woken for).
 */
export async function enqueueDeliveries(db: Db, events: FanOutEvent[], now: Date = new Date()): Promise<number> {
  if (!events.length) return 0;
  const tenants = [...new Set(events.map((e) => e.tenantId))];
  const endpoints = await db.webhookEndpoint.findMany({
    where: { tenantId: { in: tenants } },
    select: { id: true, tenantId: true, eventTypes: true, status: true, disabledReason: true },
  });
  if (!endpoints.length) return 0;
  const byTenant = new Map<string, typeof endpoints>();
  for (const endpoint of endpoints)
    byTenant.set(endpoint.tenantId, [...(byTenant.get(endpoint.tenantId) ?? []), endpoint]);
  let pending = 0;
  let chunk = emptyChunk();
  for (const event of events) {
    let payload: string | null = null;
    for (const endpoint of byTenant.get(event.tenantId) ?? []) {
      if (!subscribes(endpoint.eventTypes, event.type)) continue;
      const enabled = endpoint.status === "enabled";
      chunk.id.push(`whd_${ulid()}`);
      chunk.tenant.push(event.tenantId);
      chunk.endpoint.push(endpoint.id);
      chunk.event.push(event.id);
      chunk.type.push(event.type);
      // The envelope is the event's alone: one string per event, however many endpoints it goes to.
      payload ??= JSON.stringify(envelopeOf(event));
      chunk.payload.push(payload);
      chunk.status.push(enabled ? "pending" : "failed");
      chunk.error.push(enabled ? null : disabledError(endpoint.disabledReason ?? "disabled"));
      if (chunk.id.length >= fanOutChunk) {
        pending += await insertChunk(db, chunk, now);
        chunk = emptyChunk();
      }
    }
  }
  if (chunk.id.length) pending += await insertChunk(db, chunk, now);
  return pending;
}

/** One chunk's rows; how many new ones are pending. */
async function insertChunk(db: Db, c: Chunk, now: Date): Promise<number> {
  const [row] = await db.$queryRaw<{ pending: number }[]>`
    WITH inserted AS (
      INSERT INTO webhook_deliveries
        (id, tenant_id, endpoint_id, event_id, event_type, payload, status, last_error,
         next_attempt_at, window_started_at, created_at)
      SELECT r.id, r.tenant_id, r.endpoint_id, r.event_id, r.event_type, r.payload::jsonb, r.status, r.last_error,
             ${now}, ${now}, ${now}
      FROM unnest(${c.id}::text[], ${c.tenant}::text[], ${c.endpoint}::text[], ${c.event}::text[],
                  ${c.type}::text[], ${c.payload}::text[], ${c.status}::text[], ${c.error}::text[])
        AS r(id, tenant_id, endpoint_id, event_id, event_type, payload, status, last_error)
      ON CONFLICT (endpoint_id, event_id) DO NOTHING
      RETURNING status
    )
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending FROM inserted`;
  return row?.pending ?? 0;
}
