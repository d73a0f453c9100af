import { type Db, type DbTx, withTransaction } from "@regulars/db";
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

/** Rows per insert: neither the statement nor the arrays bound to it grow with a batch times its endpoints. */
const fanOutChunk = 1_000;

interface DeliveryRow {
  id: string;
  tenant: string;
  endpoint: string;
  event: string;
  type: string;
  payload: string;
  status: "pending" | "failed";
  error: string | null;
}

interface FanOutEndpoint {
  id: string;
  tenantId: string;
  eventTypes: string[];
  status: string;
  disabledReason: string | null;
}

/**
 * Turns domain events into deliveries, one per endpoint of the event's tenant that subscribes to its type, a
 * chunk of rows per statement. Keyed by (endpoint, event): an event the stream delivers again is not enqueued
 * again, so a batch that fails half-way is simply fanned out again. An event for a disabled endpoint is not
 * dropped: it is kept as a failed delivery naming why (as what was waiting when it was switched off), in the
 * failed list, replayed once the endpoint is on again. Nothing is sent here; returns how many new deliveries are
 * to be sent (the pending ones: what a sender is woken for).
 *
 * The endpoints are read `FOR SHARE` in the transaction that inserts: switching one off (which fails what is
 * pending, in its own transaction) waits for these rows to commit and fails them, or commits first and is read here
 * as off. Read without the lock, rows made pending by a read just before the switching off stayed pending on an
 * endpoint no sender claims from, outside the failed list, for good. Locked in id order, the
 * order any other statement taking several endpoints' locks must keep.
 */
export function enqueueDeliveries(db: Db, events: FanOutEvent[], now: Date = new Date()): Promise<number> {
  if (!events.length) return Promise.resolve(0);
  return withTransaction(db, (tx) => enqueueIn(tx, events, now));
}

async function enqueueIn(tx: DbTx, events: FanOutEvent[], now: Date): Promise<number> {
  const tenants = [...new Set(events.map((e) => e.tenantId))];
  const endpoints = await tx.$queryRaw<FanOutEndpoint[]>`
    SELECT id, tenant_id AS "tenantId", event_types AS "eventTypes", status, disabled_reason AS "disabledReason"
    FROM webhook_endpoints WHERE tenant_id = ANY(${tenants}::text[])
    ORDER BY id
    FOR SHARE`;
  if (!endpoints.length) return 0;
  const byTenant = new Map<string, FanOutEndpoint[]>();
  for (const endpoint of endpoints)
    byTenant.set(endpoint.tenantId, [...(byTenant.get(endpoint.tenantId) ?? []), endpoint]);
  const rows: DeliveryRow[] = [];
  for (const event of events) {
    // The envelope is the event's alone: one string per event, however many endpoints it goes to.
    let payload: string | null = null;
    for (const endpoint of byTenant.get(event.tenantId) ?? []) {
      if (!subscribes(endpoint.eventTypes, event.type)) continue;
      payload ??= JSON.stringify(envelopeOf(event));
      const enabled = endpoint.status === "enabled";
      rows.push({
        id: `whd_${ulid()}`,
        tenant: event.tenantId,
        endpoint: endpoint.id,
        event: event.id,
        type: event.type,
        payload,
        status: enabled ? "pending" : "failed",
        error: enabled ? null : disabledError(endpoint.disabledReason ?? "disabled"),
      });
    }
  }
  let pending = 0;
  for (let i = 0; i < rows.length; i += fanOutChunk)
    pending += await insertChunk(tx, rows.slice(i, i + fanOutChunk), now);
  return pending;
}

/** One chunk's rows; how many new ones are pending. */
async function insertChunk(tx: DbTx, rows: DeliveryRow[], now: Date): Promise<number> {
  const column = <K extends keyof DeliveryRow>(key: K) => rows.map((r) => r[key]);
  const [row] = await tx.$queryRaw<{ pending: number }[]>`
    WITH inserted AS (
      INSERT INTO webhook_deliveries
        (id, tenant_id, endpoint_id, event_id, event_type, payload, status, last_error,
         next_attempt_at, window_started_at, created_at)
      SELECT r.id, r.tenant_id, r.endpoint_id, r.event_id, r.event_type, r.payload::jsonb, r.status, r.last_error,
             ${now}, ${now}, ${now}
      FROM unnest(${column("id")}::text[], ${column("tenant")}::text[], ${column("endpoint")}::text[],
                  ${column("event")}::text[], ${column("type")}::text[], ${column("payload")}::text[],
                  ${column("status")}::text[], ${column("error")}::text[])
        AS r(id, tenant_id, endpoint_id, event_id, event_type, payload, status, last_error)
      ON CONFLICT (endpoint_id, event_id) DO NOTHING
      RETURNING status
    )
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending FROM inserted`;
  return row?.pending ?? 0;
}
