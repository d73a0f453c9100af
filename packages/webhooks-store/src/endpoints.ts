import { recordAudit } from "@regulars/audit";
import { type Db, type DbTx, type WebhookEndpointModel as EndpointRow, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { ulid } from "@regulars/ids";
import {
  type EndpointUrlPolicy,
  endpointUrlProblem,
  newWebhookSecret,
  strictUrlPolicy,
  subscriptionProblem,
} from "@regulars/webhooks";

/** An endpoint as the admin sees it: never its secret (shown once, at creation and rotation). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  status: "enabled" | "disabled";
  disabledReason: string | null;
  disabledAt: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  lastSuccessAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface EndpointInput {
  url: string;
  description?: string;
  eventTypes: string[];
}

/**
 * Most endpoints a tenant may have. Every event is written once per subscribed endpoint, so the fan-out's work and
 * the table's growth are the events times this; a few dozen integrations is already far more than a restaurant
 * group runs.
 */
export const maxEndpointsPerTenant = 25;

/** What a delivery failed by its endpoint being switched off reads as its last error; the prefix marks those. */
export const disabledErrorPrefix = "endpoint disabled: ";
export const disabledError = (reason: string) => `${disabledErrorPrefix}${reason}`;

/** How long the secret before a rotation still signs (both signatures are sent), so receivers can switch. */
export const previousSecretGraceMs = 24 * 3_600_000;

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toEndpoint(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    status: row.status as WebhookEndpoint["status"],
    disabledReason: row.disabledReason,
    disabledAt: iso(row.disabledAt),
    consecutiveFailures: row.consecutiveFailures,
    failingSince: iso(row.failingSince),
    lastSuccessAt: iso(row.lastSuccessAt),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** The URL and the subscriptions checked, each problem named by its field. */
function checkInput(input: Partial<EndpointInput>, policy: EndpointUrlPolicy) {
  const issues: { path: string; message: string }[] = [];
  if (input.url !== undefined) {
    const problem = endpointUrlProblem(input.url, policy);
    if (problem) issues.push({ path: "url", message: problem });
  }
  for (const [i, pattern] of (input.eventTypes ?? []).entries()) {
    const problem = subscriptionProblem(pattern);
    if (problem) issues.push({ path: `eventTypes.${i}`, message: problem });
  }
  if (input.eventTypes && !input.eventTypes.length)
    issues.push({ path: "eventTypes", message: "subscribe to at least one event type" });
  if (issues.length) throw new DomainError("invalid_request", `the endpoint is invalid: ${issues[0]!.message}`, issues);
}

const noEndpoint = (id: string) =>
  new DomainError("not_found", `no webhook endpoint ${id}`, [{ path: "id", message: "no such endpoint" }]);

export async function getEndpointRow(db: Db | DbTx, tenantId: string, id: string): Promise<EndpointRow> {
  const row = await db.webhookEndpoint.findFirst({ where: { id, tenantId } });
  if (!row) throw noEndpoint(id);
  return row;
}

/**
 * The endpoint's status, its row held `FOR SHARE` until the transaction ends, for whoever makes deliveries pending
 * by it. Switching the endpoint off updates the row and fails what is pending in one transaction: held so, it waits
 * for a delivery made pending here to commit (and fails it), or commits first and is read here as off. Read without
 * the lock, a delivery made pending just after the switching off failed the others stayed pending for good.
 */
export async function shareEndpointStatus(tx: DbTx, tenantId: string, id: string): Promise<string> {
  const [row] = await tx.$queryRaw<{ status: string }[]>`
    SELECT status FROM webhook_endpoints WHERE id = ${id} AND tenant_id = ${tenantId} FOR SHARE`;
  if (!row) throw noEndpoint(id);
  return row.status;
}

/** A new endpoint with a fresh secret, returned this once; audited under `actor` (without the secret). */
export async function createEndpoint(
  db: Db,
  tenantId: string,
  input: EndpointInput,
  actor: string,
  policy: EndpointUrlPolicy = strictUrlPolicy,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  checkInput(input, policy);
  const secret = newWebhookSecret();
  return withTransaction(db, async (tx) => {
    // Creations of one tenant queue here, so two at once cannot both take the last place.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`webhook_endpoints:${tenantId}`}, 0))`;
    if ((await tx.webhookEndpoint.count({ where: { tenantId } })) >= maxEndpointsPerTenant)
      throw new DomainError(
        "conflict",
        `a tenant may have at most ${maxEndpointsPerTenant} webhook endpoints: delete one before adding another`,
        [{ path: "url", message: `at most ${maxEndpointsPerTenant} endpoints` }],
      );
    const row = await tx.webhookEndpoint.create({
      data: {
        id: `whe_${ulid()}`,
        tenantId,
        url: input.url,
        description: input.description ?? "",
        eventTypes: [...new Set(input.eventTypes)],
        secret,
        createdBy: actor,
      },
    });
    const details = { url: row.url, eventTypes: row.eventTypes };
    await recordAudit(tx, { tenantId, actor, action: "webhooks.endpoints.create", target: row.id, details });
    return { endpoint: toEndpoint(row), secret };
  });
}

export async function listEndpoints(db: Db, tenantId: string): Promise<WebhookEndpoint[]> {
  const rows = await db.webhookEndpoint.findMany({ where: { tenantId }, orderBy: { id: "asc" } });
  return rows.map(toEndpoint);
}

export async function getEndpoint(db: Db, tenantId: string, id: string): Promise<WebhookEndpoint> {
  return toEndpoint(await getEndpointRow(db, tenantId, id));
}

/** Changes the URL, description or subscriptions; audited. */
export async function updateEndpoint(
  db: Db,
  tenantId: string,
  id: string,
  input: Partial<EndpointInput>,
  actor: string,
  policy: EndpointUrlPolicy = strictUrlPolicy,
): Promise<WebhookEndpoint> {
  checkInput(input, policy);
  return withTransaction(db, async (tx) => {
    await getEndpointRow(tx, tenantId, id);
    const eventTypes = input.eventTypes ? [...new Set(input.eventTypes)] : undefined;
    const row = await tx.webhookEndpoint.update({
      where: { id },
      data: { url: input.url, description: input.description, eventTypes, updatedAt: new Date() },
    });
    const details = { url: input.url, description: input.description, eventTypes };
    await recordAudit(tx, { tenantId, actor, action: "webhooks.endpoints.update", target: id, details });
    return toEndpoint(row);
  });
}

/**
 * Switches an endpoint off (nothing more is sent to it; what was waiting, and every event raised while it is off,
 * fails with the reason and can be replayed once it is on again) or on (its failure streak starts afresh). An
 * attempt in flight as it goes off still counts if the receiver took it (see `recordDelivered`).
 */
export function setEndpointStatus(
  db: Db,
  tenantId: string,
  id: string,
  change: EndpointStatusChange,
  actor: string,
  now: Date = new Date(),
): Promise<WebhookEndpoint> {
  return withTransaction(db, (tx) => applyEndpointStatus(tx, tenantId, id, change, actor, now));
}

export type EndpointStatusChange = { status: "enabled" } | { status: "disabled"; reason: string };

/** `setEndpointStatus` inside the caller's transaction (the sender disables an endpoint with its last result). */
export async function applyEndpointStatus(
  tx: DbTx,
  tenantId: string,
  id: string,
  change: EndpointStatusChange,
  actor: string,
  now: Date,
): Promise<WebhookEndpoint> {
  await getEndpointRow(tx, tenantId, id);
  const disabled = change.status === "disabled";
  const row = await tx.webhookEndpoint.update({
    where: { id },
    data: disabled
      ? { status: "disabled", disabledReason: change.reason, disabledAt: now, updatedAt: now }
      : {
          status: "enabled",
          disabledReason: null,
          disabledAt: null,
          consecutiveFailures: 0,
          failingSince: null,
          updatedAt: now,
        },
  });
  if (disabled)
    await tx.webhookDelivery.updateMany({
      where: { endpointId: id, status: "pending" },
      data: { status: "failed", lastError: disabledError(change.reason) },
    });
  await recordAudit(tx, {
    tenantId,
    actor,
    action: disabled ? "webhooks.endpoints.disable" : "webhooks.endpoints.enable",
    target: id,
    details: disabled ? { reason: change.reason } : {},
  });
  return toEndpoint(row);
}

/** Deletes an endpoint and its deliveries; audited. */
export async function deleteEndpoint(db: Db, tenantId: string, id: string, actor: string): Promise<void> {
  await withTransaction(db, async (tx) => {
    const row = await getEndpointRow(tx, tenantId, id);
    await tx.webhookEndpoint.delete({ where: { id } });
    await recordAudit(tx, {
      tenantId,
      actor,
      action: "webhooks.endpoints.delete",
      target: id,
      details: { url: row.url },
    });
  });
}

/** A new secret, returned this once; the one before keeps signing beside it for a day. Audited. */
export async function rotateSecret(
  db: Db,
  tenantId: string,
  id: string,
  actor: string,
  now: Date = new Date(),
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const secret = newWebhookSecret();
  return withTransaction(db, async (tx) => {
    const current = await getEndpointRow(tx, tenantId, id);
    const row = await tx.webhookEndpoint.update({
      where: { id },
      data: {
        secret,
        previousSecret: current.secret,
        previousSecretExpiresAt: new Date(now.getTime() + previousSecretGraceMs),
        updatedAt: now,
      },
    });
    await recordAudit(tx, { tenantId, actor, action: "webhooks.endpoints.rotate_secret", target: id, details: {} });
    return { endpoint: toEndpoint(row), secret };
  });
}
