import { recordAudit } from "@regulars/audit";
import { type Db, type WebhookDeliveryModel as DeliveryRow, type Prisma, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { ulid } from "@regulars/ids";
import { pingEnvelope, pingEventType } from "@regulars/webhooks";
import { getEndpointRow } from "./endpoints.ts";

export type DeliveryStatus = "pending" | "delivered" | "failed";

export interface WebhookDelivery {
  /** The `webhook-id` header. */
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  payload: unknown;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toDelivery = (row: DeliveryRow): WebhookDelivery => ({
  id: row.id,
  endpointId: row.endpointId,
  eventId: row.eventId,
  eventType: row.eventType,
  payload: row.payload,
  status: row.status as DeliveryStatus,
  attempts: row.attempts,
  nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
  lastAttemptAt: iso(row.lastAttemptAt),
  lastStatusCode: row.lastStatusCode,
  lastError: row.lastError,
  deliveredAt: iso(row.deliveredAt),
  createdAt: row.createdAt.toISOString(),
});

/** Newest first; `after` is the last id of the previous page (ids sort by time). */
export async function listDeliveries(
  db: Db,
  tenantId: string,
  filter: { endpointId?: string; status?: DeliveryStatus; after?: string; limit: number },
): Promise<{ items: WebhookDelivery[]; nextCursor: string | null }> {
  const rows = await db.webhookDelivery.findMany({
    where: {
      tenantId,
      ...(filter.endpointId ? { endpointId: filter.endpointId } : {}),
      ...(filter.status ? { status: filter.status } : {}),
      ...(filter.after ? { id: { lt: filter.after } } : {}),
    },
    orderBy: { id: "desc" },
    take: filter.limit + 1,
  });
  const page = rows.slice(0, filter.limit);
  return { items: page.map(toDelivery), nextCursor: rows.length > filter.limit ? page[page.length - 1]!.id : null };
}

const endpointOff = (id: string) =>
  new DomainError("conflict", `endpoint ${id} is disabled: enable it before replaying`, [
    { path: "endpointId", message: "is disabled" },
  ]);

/**
 * Sends a delivery again, from now, with a fresh 24 h of retries: same id, same body, so a receiver that had it
 * already recognises it. Any status may be replayed (a receiver that lost what it was sent asks again). Audited.
 */
export async function replayDelivery(
  db: Db,
  tenantId: string,
  id: string,
  actor: string,
  now: Date = new Date(),
): Promise<WebhookDelivery> {
  return withTransaction(db, async (tx) => {
    const row = await tx.webhookDelivery.findFirst({ where: { id, tenantId } });
    if (!row)
      throw new DomainError("not_found", `no webhook delivery ${id}`, [{ path: "id", message: "no such delivery" }]);
    const endpoint = await getEndpointRow(tx, tenantId, row.endpointId);
    if (endpoint.status !== "enabled") throw endpointOff(endpoint.id);
    const replayed = await tx.webhookDelivery.update({
      where: { id },
      data: { status: "pending", nextAttemptAt: now, windowStartedAt: now, deliveredAt: null },
    });
    await recordAudit(tx, { tenantId, actor, action: "webhooks.deliveries.replay", target: id, details: {} });
    return toDelivery(replayed);
  });
}

/** Replays every failed delivery of an endpoint (see replayDelivery); returns how many. Audited once. */
export async function replayFailedDeliveries(
  db: Db,
  tenantId: string,
  endpointId: string,
  actor: string,
  now: Date = new Date(),
): Promise<number> {
  return withTransaction(db, async (tx) => {
    const endpoint = await getEndpointRow(tx, tenantId, endpointId);
    if (endpoint.status !== "enabled") throw endpointOff(endpointId);
    const { count } = await tx.webhookDelivery.updateMany({
      where: { tenantId, endpointId, status: "failed" },
      data: { status: "pending", nextAttemptAt: now, windowStartedAt: now },
    });
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "webhooks.deliveries.replay_failed",
      target: endpointId,
      details: { count },
    });
    return count;
  });
}

/**
 * A test delivery (`webhook.ping`) to an endpoint, sent by the senders like any other; it does not count
 * towards disabling the endpoint. The admin reads how it went in the deliveries list.
 */
export async function enqueuePing(db: Db, tenantId: string, endpointId: string, now: Date = new Date()) {
  const endpoint = await getEndpointRow(db, tenantId, endpointId);
  if (endpoint.status !== "enabled") throw endpointOff(endpointId);
  const id = `whd_${ulid()}`;
  const row = await db.webhookDelivery.create({
    data: {
      id,
      tenantId,
      endpointId,
      eventId: `ping:${id}`,
      eventType: pingEventType,
      payload: pingEnvelope(endpointId, now) as unknown as Prisma.InputJsonObject,
      nextAttemptAt: now,
      windowStartedAt: now,
      createdAt: now,
    },
  });
  return toDelivery(row);
}

/** Deletes deliveries that were delivered more than `olderThanMs` ago (their copy of the event is not needed). */
export async function pruneDelivered(db: Db, now: Date, olderThanMs = 7 * 86_400_000): Promise<number> {
  return db.$executeRaw`
    DELETE FROM webhook_deliveries WHERE status = 'delivered' AND delivered_at < ${new Date(now.getTime() - olderThanMs)}`;
}
