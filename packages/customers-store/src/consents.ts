import type { ConsentChannel, ConsentPurpose, ConsentState, ConsentStatement } from "@regulars/contracts";
import { type DbTx, Prisma } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { ulid } from "@regulars/ids";
import { announce } from "./events.ts";
import { type ChangeOrigin, type DbOrTx, inTransaction, requireCustomerLocked } from "./shared.ts";

/** How far ahead of our clock a consent's time may lie (the customer's phone clock runs fast). */
const MAX_AHEAD_MS = 5 * 60_000;

export interface ConsentRecord {
  id: string;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  granted: boolean;
  source: string;
  /** The API key that recorded it; null when the system did. */
  actor: string | null;
  occurredAt: string;
  recordedAt: string;
}

interface ConsentRow {
  id: string;
  channel: string;
  purpose: string;
  granted: boolean;
  source: string;
  actor: string | null;
  occurred_at: Date;
  recorded_at: Date;
}

const recordOf = (r: ConsentRow): ConsentRecord => ({
  id: r.id,
  channel: r.channel as ConsentChannel,
  purpose: r.purpose as ConsentPurpose,
  granted: r.granted,
  source: r.source,
  actor: r.actor,
  occurredAt: r.occurred_at.toISOString(),
  recordedAt: r.recorded_at.toISOString(),
});

/**
 * The order of `customer_consents` rows, newest first, that picks the consent in force per channel and purpose (the
 * first row after `DISTINCT ON`): by when the customer made the choice, but never later than when we recorded it.
 * A phone whose clock runs fast stamps a grant minutes ahead; taken at its word, that grant would outrank the
 * withdrawal the customer makes a minute later. Capped at its recording, it cannot, while a late upload of an older
 * choice still ranks by its own, earlier time. Every reader of the consent in force orders by this.
 */
export const consentInForceOrder = Prisma.sql`least(occurred_at, recorded_at) DESC, recorded_at DESC, id DESC`;

/** When a choice ranks in `consentInForceOrder`: made at `occurredAt`, but no later than recorded. */
export const rankedAt = (occurredAt: Date, recordedAt: Date): number =>
  Math.min(occurredAt.getTime(), recordedAt.getTime());

/** The consent in force per channel and purpose: the latest choice, ranked by `consentInForceOrder`. */
export async function currentConsents(db: DbOrTx, tenantId: string, customerId: string): Promise<ConsentRecord[]> {
  const rows = await db.$queryRaw<ConsentRow[]>`
    SELECT DISTINCT ON (channel, purpose) id, channel, purpose, granted, source, actor, occurred_at, recorded_at
    FROM customer_consents WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}
    ORDER BY channel, purpose, ${consentInForceOrder}`;
  return rows.map(recordOf);
}

/**
 * Records the customer's choices. A choice that differs from the consent in force is appended to the history,
 * and announced by `consent.changed` when it is now the one in force; one older than the one in force (a late
 * offline upload) is kept as history only. Choices rank as `consentInForceOrder` ranks them, a time ahead of our
 * clock as now. The same choice made again later is recorded too, unannounced (nothing changed): it is now the
 * latest, so an opposite choice made before it and uploaded late cannot take over. The same choice no later than the
 * one in force, or already recorded at the same time (a retried request), records nothing. The customer's row is
 * locked, so two writers compare against the same state.
 */
export async function setConsents(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  input: { consents: ConsentStatement[]; occurredAt?: string | undefined },
  origin: ChangeOrigin,
): Promise<ConsentState[]> {
  return inTransaction(db, async (tx) => {
    const id = await requireCustomerLocked(tx, tenantId, customerId);
    await recordConsents(tx, tenantId, id, input, origin);
    return (await currentConsents(tx, tenantId, id)).map(stateOf);
  });
}

export const stateOf = (c: ConsentRecord): ConsentState => ({
  channel: c.channel,
  purpose: c.purpose,
  granted: c.granted,
  source: c.source,
  occurredAt: c.occurredAt,
});

/**
 * `setConsents` inside a registration or merge that already holds the customer's lock. `occurredAtField` is the
 * caller's name for the time (a registration's `consentedAt`), so a refusal names the field the caller sent.
 */
export async function recordConsents(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  input: { consents: ConsentStatement[]; occurredAt?: string | undefined; occurredAtField?: string },
  origin: ChangeOrigin,
): Promise<number> {
  const occurredAt = input.occurredAt ? new Date(input.occurredAt) : origin.now;
  if (occurredAt.getTime() > origin.now.getTime() + MAX_AHEAD_MS)
    throw new DomainError("invalid_request", "the consent's time lies in the future", [
      { path: input.occurredAtField ?? "occurredAt", message: "must not be more than 5 minutes ahead" },
    ]);
  const inForce = new Map(
    (await currentConsents(tx, tenantId, customerId)).map((c) => [`${c.channel}/${c.purpose}`, c]),
  );
  const retried = await alreadyRecorded(tx, tenantId, customerId, input.occurredAt ? occurredAt : null);
  const madeAt = rankedAt(occurredAt, origin.now);
  const fresh = input.consents
    .filter((statement) => !retried.has(`${statement.channel}/${statement.purpose}/${statement.granted}`))
    .map((statement) => {
      const current = inForce.get(`${statement.channel}/${statement.purpose}`);
      const inForceAt = current
        ? rankedAt(new Date(current.occurredAt), new Date(current.recordedAt))
        : Number.NEGATIVE_INFINITY;
      return {
        ...statement,
        id: `cns_${ulid()}`,
        changes: current?.granted !== statement.granted,
        // Only a choice at least as recent as the one in force changes what is in force.
        takesEffect: inForceAt <= madeAt,
        later: inForceAt < madeAt,
      };
    })
    .filter((f) => f.changes || f.later);
  if (!fresh.length) return 0;
  await tx.$executeRaw`
    INSERT INTO customer_consents (id, tenant_id, customer_id, channel, purpose, granted, source, actor, occurred_at, recorded_at)
    SELECT id, ${tenantId}, ${customerId}, channel, purpose, granted, ${origin.source}, ${origin.actor}, ${occurredAt}, ${origin.now}
    FROM unnest(${fresh.map((f) => f.id)}::text[], ${fresh.map((f) => f.channel)}::text[],
      ${fresh.map((f) => f.purpose)}::text[], ${fresh.map((f) => f.granted)}::boolean[]) AS f(id, channel, purpose, granted)`;
  await announce(
    tx,
    fresh
      .filter((f) => f.changes && f.takesEffect)
      .map((f) => ({
        type: "consent.changed" as const,
        id: `consent.changed:${f.id}`,
        tenantId,
        customerId,
        // Ranked as the store ranks it, so a reader ordering the events by time agrees on the one in force.
        occurredAt: new Date(madeAt).toISOString(),
        channel: f.channel,
        purpose: f.purpose,
        granted: f.granted,
        source: origin.source,
      })),
  );
  return fresh.length;
}

/**
 * The choices already recorded as made at `occurredAt` (`channel/purpose/granted`). A request retried with the
 * customer's own time states a choice already kept; one stamped ahead of our clock would otherwise rank as recorded
 * anew and overturn a withdrawal made since.
 */
async function alreadyRecorded(tx: DbTx, tenantId: string, customerId: string, occurredAt: Date | null) {
  if (!occurredAt) return new Set<string>();
  const rows = await tx.$queryRaw<{ key: string }[]>`
    SELECT channel || '/' || purpose || '/' || granted AS key FROM customer_consents
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND occurred_at = ${occurredAt}`;
  return new Set(rows.map((r) => r.key));
}

export interface ConsentHistoryPage {
  items: ConsentRecord[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Every recorded choice, newest recorded first, optionally for one channel or purpose. */
export async function consentHistory(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  input: {
    channel?: ConsentChannel | undefined;
    purpose?: ConsentPurpose | undefined;
    cursor?: string | null;
    limit: number;
  },
): Promise<ConsentHistoryPage> {
  const [customer] = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM customers WHERE tenant_id = ${tenantId} AND id = ${customerId}`;
  if (!customer) throw new DomainError("not_found", `no customer ${customerId}`);
  const rows = await db.$queryRaw<ConsentRow[]>`
    SELECT id, channel, purpose, granted, source, actor, occurred_at, recorded_at FROM customer_consents
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}
      AND (${input.channel ?? null}::text IS NULL OR channel = ${input.channel ?? null})
      AND (${input.purpose ?? null}::text IS NULL OR purpose = ${input.purpose ?? null})
      AND (${input.cursor ?? null}::text IS NULL OR id < ${input.cursor ?? null})
    ORDER BY id DESC LIMIT ${input.limit + 1}`;
  const page = rows.slice(0, input.limit).map(recordOf);
  return { items: page, nextCursor: rows.length > input.limit ? page[page.length - 1]!.id : null };
}
