import { recordAudit } from "@regulars/audit";
import { type Db, type WebhookDeliveryModel as DeliveryRow, Prisma, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { ulid } from "@regulars/ids";
import { pingEnvelope, pingEventType } from "@regulars/webhooks";
import { shareEndpointStatus } from "./endpoints.ts";

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
 * Sends a delivery again, from now, with a fresh 24 h of retries whose backoff starts over (its first failure
 * waits seconds, not the hours its last attempts waited): same id, same body, so a receiver that had it already
 * recognises it. A delivered or failed one may be replayed (a receiver that lost what it was sent asks again);
 * `attempts` keeps counting every attempt. A pending one is left as it is and returned so: it is due, waiting for
 * its next retry, or in flight with a sender, and sending it now as well could overlap that attempt. Audited.
 */
export async function replayDelivery(
  db: Db,
  tenantId: string,
  id: string,
  actor: string,
  now: Date = new Date(),
): Promise<WebhookDelivery & { replayed: boolean }> {
  return withTransaction(db, async (tx) => {
    const row = await tx.webhookDelivery.findFirst({ where: { id, tenantId } });
    if (!row)
      throw new DomainError("not_found", `no webhook delivery ${id}`, [{ path: "id", message: "no such delivery" }]);
    // Held to the commit: an endpoint switched off meanwhile must not keep a delivery pending (see the lock).
    if ((await shareEndpointStatus(tx, tenantId, row.endpointId)) !== "enabled") throw endpointOff(row.endpointId);
    if (row.status === "pending") return { ...toDelivery(row), replayed: false };
    // The status in the condition: of two replays at once, one starts the window and the other finds it pending.
    const replayed = await tx.$executeRaw`
      UPDATE webhook_deliveries
      SET status = 'pending', next_attempt_at = ${now}, window_started_at = ${now}, attempts_before_window = attempts,
          delivered_at = NULL
      WHERE id = ${id} AND tenant_id = ${tenantId} AND status <> 'pending'`;
    if (replayed)
      await recordAudit(tx, { tenantId, actor, action: "webhooks.deliveries.replay", target: id, details: {} });
    return { ...toDelivery(await tx.webhookDelivery.findUniqueOrThrow({ where: { id } })), replayed: replayed > 0 };
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
    if ((await shareEndpointStatus(tx, tenantId, endpointId)) !== "enabled") throw endpointOff(endpointId);
    const count = await tx.$executeRaw`
      UPDATE webhook_deliveries
      SET status = 'pending', next_attempt_at = ${now}, window_started_at = ${now}, attempts_before_window = attempts
      WHERE tenant_id = ${tenantId} AND endpoint_id = ${endpointId} AND status = 'failed'`;
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
 * towards disabling the endpoint. The admin reads how it went in the deliveries list. Audited under `actor` in the
 * same transaction: a ping makes the tenant's server receive a signed request, as a replay does.
 */
export async function enqueuePing(db: Db, tenantId: string, endpointId: string, actor: string, now: Date = new Date()) {
  return withTransaction(db, async (tx) => {
    if ((await shareEndpointStatus(tx, tenantId, endpointId)) !== "enabled") throw endpointOff(endpointId);
    const id = `whd_${ulid()}`;
    const row = await tx.webhookDelivery.create({
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
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "webhooks.endpoints.test",
      target: endpointId,
      details: { deliveryId: id },
    });
    return toDelivery(row);
  });
}

/** How long a delivered delivery is kept (its copy of the event is not needed once the receiver has it). */
export const deliveredRetentionMs = 7 * 86_400_000;
/**
 * How long a failed delivery is kept after its last attempt (or, never attempted, after it was made): a month to
 * notice and replay it. It holds a copy of the event, personal data included, which must not stay for good.
 */
export const failedRetentionMs = 30 * 86_400_000;

const pruneSlice = 10_000;

/**
 * What a prune deletes, a slice at a time so that no statement holds a whole backlog's locks and WAL: delivered
 * rows through `webhook_deliveries_delivered_idx`, failed ones through `webhook_deliveries_failed_idx` (migration
 * 0037; without them every pass read the whole table).
 */
export function pruneStatements(
  now: Date,
  tenants: readonly string[] | null = null,
  slice: number = pruneSlice,
): Prisma.Sql[] {
  const only = tenants ? [...tenants] : null;
  const ofTenants = Prisma.sql`(${only}::text[] IS NULL OR tenant_id = ANY(${only}::text[]))`;
  const delivered = new Date(now.getTime() - deliveredRetentionMs);
  const failed = new Date(now.getTime() - failedRetentionMs);
  return [
    Prisma.sql`
      DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE status = 'delivered' AND delivered_at < ${delivered} AND ${ofTenants}
        LIMIT ${slice})`,
    Prisma.sql`
      DELETE FROM webhook_deliveries WHERE id IN (
        SELECT id FROM webhook_deliveries
        WHERE status = 'failed' AND coalesce(last_attempt_at, created_at) < ${failed} AND ${ofTenants}
        LIMIT ${slice})`,
  ];
}

/** Deletes what the retentions above let go, of every tenant or only `tenantIds`; how many. */
export async function pruneDeliveries(
  db: Db,
  now: Date,
  opts: { tenantIds?: readonly string[]; slice?: number } = {},
): Promise<number> {
  const slice = opts.slice ?? pruneSlice;
  let deleted = 0;
  for (const statement of pruneStatements(now, opts.tenantIds ?? null, slice))
    for (;;) {
      const n = await db.$executeRaw(statement);
      deleted += n;
      if (n < slice) break;
    }
  return deleted;
}
