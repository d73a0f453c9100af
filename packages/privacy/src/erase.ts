import type { FactsTarget } from "@regulars/analytics";
import { recordAudit } from "@regulars/audit";
import type { CustomerErased } from "@regulars/contracts";
import { type Db, type DbTx, holdErasureFence, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { newPseudonym, ulid } from "@regulars/ids";
import { type OutboxItem, outboxItem, writeOutbox } from "@regulars/ledger-store";
import { eraseClickhouse } from "./clickhouse.ts";
import { keepParkedFingerprints } from "./parked-fingerprints.ts";
import { existingTables, lockPerson, personIds, personPhones, ruleParams } from "./person.ts";
import type { ErasureOutcome } from "./privacy.types.ts";
import { postgresTables } from "./tables.ts";

export interface ErasureOrigin {
  /** The API key, or `system:retention` for the inactivity job. */
  actor: string;
  cause: CustomerErased["cause"];
  now: Date;
}

/**
 * Erases the customer's personal data: Postgres in one transaction with its audit row and `customer.erased`
 * events, then ClickHouse when it is reachable from here (else the scheduled job `finish-erasures` does it).
 * A second call is a no-op that reports the first (and retries ClickHouse's part if it is still pending), unless
 * the first missed someone merged into the customer: then it erases them. A merged-away id is refused, naming the
 * account to erase (`mergedAwayError`): the person's data is with that account.
 * Returns the committed outbox items for the caller to publish (the outbox relay publishes them otherwise).
 */
export async function eraseCustomer(
  deps: { db: Db; analytics?: FactsTarget | null },
  tenantId: string,
  customerId: string,
  origin: ErasureOrigin,
): Promise<ErasureOutcome & { outbox: OutboxItem[] }> {
  const erased = await withTransaction(deps.db, (tx) => erasePostgres(tx, tenantId, customerId, origin));
  let pending = erased.outcome.clickhousePending;
  if (pending && deps.analytics && erased.outcome.requestId)
    pending = !(await finishErasure(deps.db, deps.analytics, erased.outcome.requestId, origin.now));
  return { ...erased.outcome, clickhousePending: pending, outbox: erased.outbox };
}

async function erasePostgres(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  origin: ErasureOrigin,
): Promise<{ outcome: ErasureOutcome; outbox: OutboxItem[] }> {
  // Before anything is locked or deleted: a segment refresh under way that read the customer as not erased commits
  // its members first, and these deletes then see them (holdErasureFence).
  await holdErasureFence(tx, tenantId, "erasure");
  const person = await lockPerson(tx, tenantId, customerId);
  const self = person.find((c) => c.id === customerId);
  if (!self) throw new DomainError("not_found", `no customer ${customerId}`);
  // Everyone, the first time. After that, someone of the person still unerased is one an earlier erasure missed (a
  // merge that committed while it waited for its lock, before it read the person under the lock): erased now.
  const unerased = person.filter((c) => !c.erased_at).map((c) => c.id);
  if (self.erased_at && !unerased.length)
    return { outcome: await alreadyErased(tx, tenantId, customerId, self.erased_at), outbox: [] };

  const ids = person.map((c) => c.id);
  // Redacted first: a parked refund names the person by an identity, which the deletes then take away.
  const redacted = await redactKeptRows(tx, tenantId, ids);
  const deleted = await deletePersonalRows(tx, tenantId, ids);
  const scrubbed = await tx.$executeRaw`
    UPDATE customers SET name = NULL, email = NULL, phone = NULL, card_number = NULL, date_of_birth = NULL,
      erased_at = ${origin.now}
    WHERE tenant_id = ${tenantId} AND id = ANY(${unerased}::text[]) AND erased_at IS NULL`;
  const requestId = await recordRequest(tx, tenantId, customerId, origin);
  // Counts and ids only: the audit log must not become a copy of what was erased.
  await recordAudit(tx, {
    tenantId,
    actor: origin.actor,
    action: "privacy.erase",
    target: customerId,
    details: { requestId, cause: origin.cause, customers: unerased, scrubbed, deleted, redacted },
  });
  const events: CustomerErased[] = unerased.map((id) => ({
    type: "customer.erased",
    id: `customer.erased:${id}`,
    tenantId,
    customerId: id,
    occurredAt: origin.now.toISOString(),
    cause: origin.cause,
  }));
  const outbox = events.map(outboxItem);
  await writeOutbox(tx, outbox);
  return {
    outcome: { status: "erased", requestId, erasedAt: origin.now.toISOString(), clickhousePending: true },
    outbox,
  };
}

/**
 * The customer's erasure request, its id. One per customer: an erasure that completes an earlier one (someone of
 * the person it missed) reopens the earlier request's ClickHouse part, whose facts of them were kept under their
 * id, with its pseudonym if still unfinished (a retry must reuse it), else a fresh one, as the sweep does.
 */
async function recordRequest(tx: DbTx, tenantId: string, customerId: string, origin: ErasureOrigin): Promise<string> {
  // The pseudonym is kept next to the id only until ClickHouse's part is done (see erasure_requests, migration 0014).
  const [request] = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO erasure_requests (id, tenant_id, customer_id, requested_by, reason, requested_at, postgres_done_at, pseudonym)
    VALUES (${`era_${ulid()}`}, ${tenantId}, ${customerId}, ${origin.actor}, ${origin.cause}, ${origin.now},
      ${origin.now}, ${newPseudonym()})
    ON CONFLICT (customer_id) DO UPDATE SET postgres_done_at = EXCLUDED.postgres_done_at, clickhouse_done_at = NULL,
      next_sweep_at = NULL, streams_done_at = NULL, pseudonym = coalesce(erasure_requests.pseudonym, EXCLUDED.pseudonym)
    RETURNING id`;
  return request!.id;
}

/**
 * Deletes the customers' rows of every table classified `delete`, and takes their items out of rows shared with
 * other customers; rows per table. Run again by the sweep of recent erasures, for behavioural rows a consumer
 * wrote after the erasure from a late event.
 */
export async function deletePersonalRows(
  db: Db | DbTx,
  tenantId: string,
  ids: string[],
): Promise<Record<string, number>> {
  const deleted: Record<string, number> = {};
  const present = await existingTables(db, Object.keys(postgresTables));
  for (const [table, rule] of Object.entries(postgresTables)) {
    if (rule.erase !== "delete" || !present.has(table)) continue;
    // The table name and condition are literals of tables.ts; the ids travel as parameters.
    deleted[table] = await db.$executeRawUnsafe(
      `DELETE FROM ${table} t WHERE t.tenant_id = $1 AND (${rule.where})`,
      tenantId,
      ids,
    );
    if (rule.shared)
      deleted[table] += await db.$executeRawUnsafe(
        `UPDATE ${table} t SET ${rule.shared.without} WHERE t.tenant_id = $1 AND (${rule.shared.holding})`,
        tenantId,
        ids,
      );
  }
  return deleted;
}

/**
 * Replaces what names the customers in the rows erasure keeps (`redact` of tables.ts: text staff typed, message
 * events' links and provider's words in the outbox); rows per table. Run again by the sweep of recent erasures, for
 * what was written about the customer after the erasure.
 */
export async function redactKeptRows(db: Db | DbTx, tenantId: string, ids: string[]): Promise<Record<string, number>> {
  const redacted: Record<string, number> = {};
  const present = await existingTables(db, Object.keys(postgresTables));
  // Read before the deletes take the identities away.
  const phones = await personPhones(db, tenantId, ids);
  // Before the message it is taken from changes.
  if (present.has("parked_refunds")) await keepParkedFingerprints(db, tenantId, ids, phones);
  for (const [table, rule] of Object.entries(postgresTables)) {
    if (!rule.redact || !present.has(table)) continue;
    // The table name, conditions and SET clause are literals of tables.ts; the ids and phones travel as parameters.
    redacted[table] = await db.$executeRawUnsafe(
      `UPDATE ${table} t SET ${rule.redact.set} WHERE t.tenant_id = $1 AND (${rule.redact.where ?? rule.where}) AND (${rule.redact.rows})`,
      ...ruleParams(rule, tenantId, ids, phones),
    );
  }
  return redacted;
}

async function alreadyErased(tx: DbTx, tenantId: string, customerId: string, erasedAt: Date): Promise<ErasureOutcome> {
  const [request] = await tx.$queryRaw<{ id: string; clickhouse_done_at: Date | null }[]>`
    SELECT id, clickhouse_done_at FROM erasure_requests WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}`;
  // No request of its own: it was erased with the customer it had been merged into.
  return {
    status: "already_erased",
    requestId: request?.id ?? null,
    erasedAt: erasedAt.toISOString(),
    clickhousePending: request ? request.clickhouse_done_at === null : false,
  };
}

/**
 * ClickHouse's part of one erasure request; true when it is done (now or before). A failure is recorded on
 * the request (attempts, last error) for the next retry; the pseudonym is kept until it succeeds, then cleared.
 */
export async function finishErasure(db: Db, analytics: FactsTarget, requestId: string, now: Date): Promise<boolean> {
  const [request] = await db.$queryRaw<
    { tenant_id: string; customer_id: string; pseudonym: string | null; clickhouse_done_at: Date | null }[]
  >`SELECT tenant_id, customer_id, pseudonym, clickhouse_done_at FROM erasure_requests WHERE id = ${requestId}`;
  if (!request) throw new DomainError("not_found", `no erasure request ${requestId}`);
  if (request.clickhouse_done_at || !request.pseudonym) return true;
  try {
    const ids = await personIds(db, request.tenant_id, request.customer_id);
    await eraseClickhouse(analytics, request.tenant_id, ids, request.pseudonym);
  } catch (e) {
    const message = (e as Error).message?.slice(0, 500) ?? String(e);
    await db.$executeRaw`
      UPDATE erasure_requests SET attempts = attempts + 1, last_error = ${message} WHERE id = ${requestId}`;
    return false;
  }
  await db.$executeRaw`
    UPDATE erasure_requests SET attempts = attempts + 1, last_error = NULL, pseudonym = NULL, clickhouse_done_at = ${now}
    WHERE id = ${requestId}`;
  return true;
}
