import type { Db } from "@regulars/db";
import { ulid } from "@regulars/ids";
import { envelopeOf, subscribes } from "@regulars/webhooks";

/** What the fan-out needs of a domain event; the rest travels in the body as it is. */
export interface FanOutEvent extends Record<string, unknown> {
  type: string;
  id: string;
  tenantId: string;
  occurredAt: string;
}

/**
 * Turns domain events into pending deliveries, one per enabled endpoint of the event's tenant that subscribes to
 * its type, in one statement. Keyed by (endpoint, event): an event the stream delivers again is not enqueued
 * again. Nothing is sent here; returns how many deliveries were new.
 */
export async function enqueueDeliveries(db: Db, events: FanOutEvent[], now: Date = new Date()): Promise<number> {
  if (!events.length) return 0;
  const tenants = [...new Set(events.map((e) => e.tenantId))];
  const endpoints = await db.webhookEndpoint.findMany({
    where: { tenantId: { in: tenants }, status: "enabled" },
    select: { id: true, tenantId: true, eventTypes: true },
  });
  if (!endpoints.length) return 0;
  const rows = { id: [] as string[], tenant: [] as string[], endpoint: [] as string[], event: [] as string[] };
  const types: string[] = [];
  const payloads: string[] = [];
  for (const event of events)
    for (const endpoint of endpoints) {
      if (endpoint.tenantId !== event.tenantId || !subscribes(endpoint.eventTypes, event.type)) continue;
      rows.id.push(`whd_${ulid()}`);
      rows.tenant.push(event.tenantId);
      rows.endpoint.push(endpoint.id);
      rows.event.push(event.id);
      types.push(event.type);
      payloads.push(JSON.stringify(envelopeOf(event)));
    }
  if (!rows.id.length) return 0;
  return db.$executeRaw`
    INSERT INTO webhook_deliveries
      (id, tenant_id, endpoint_id, event_id, event_type, payload, next_attempt_at, window_started_at, created_at)
    SELECT r.id, r.tenant_id, r.endpoint_id, r.event_id, r.event_type, r.payload::jsonb, ${now}, ${now}, ${now}
    FROM unnest(${rows.id}::text[], ${rows.tenant}::text[], ${rows.endpoint}::text[], ${rows.event}::text[],
                ${types}::text[], ${payloads}::text[])
      AS r(id, tenant_id, endpoint_id, event_id, event_type, payload)
    ON CONFLICT (endpoint_id, event_id) DO NOTHING`;
}
