import type { ConsentChannel, ConsentPurpose, ConsentState, ConsentStatement } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
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

/** The consent in force per channel and purpose: the latest choice by when the customer made it. */
export async function currentConsents(db: DbOrTx, tenantId: string, customerId: string): Promise<ConsentRecord[]> {
  const rows = await db.$queryRaw<ConsentRow[]>`
    SELECT DISTINCT ON (channel, purpose) id, channel, purpose, granted, source, actor, occurred_at, recorded_at
    FROM customer_consents WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}
    ORDER BY channel, purpose, occurred_at DESC, recorded_at DESC, id DESC`;
  return rows.map(recordOf);
}

/**
 * Records the customer's choices. A choice that differs from the consent in force is appended to the history,
 * and announced by `consent.changed` when it is now the one in force; one older than the one in force (a late
 * offline upload) is kept as history only. The same choice made again later is recorded too, unannounced (nothing
 * changed): it is now the latest, so an opposite choice made before it and uploaded late cannot take over. The same
 * choice no later than the one in force (a retried request) records nothing. The customer's row is locked, so two
 * writers compare against the same state.
 */
export async function setConsents(
  db: DbOrTx,
  tenantId: string,
  customerId: string,
  input: { consents: ConsentStatement[]; occurredAt?: string | undefined },
  origin: ChangeOrigin,
): Promise<ConsentState[]> {
  return inTransaction(db, async (tx) => {
    await requireCustomerLocked(tx, tenantId, customerId);
    await recordConsents(tx, tenantId, customerId, input, origin);
    return (await currentConsents(tx, tenantId, customerId)).map(stateOf);
  });
}

export const stateOf = (c: ConsentRecord): ConsentState => ({
  channel: c.channel,
  purpose: c.purpose,
  granted: c.granted,
  source: c.source,
  occurredAt: c.occurredAt,
});

/** `setConsents` inside a registration or merge that already holds the customer's lock. */
export async function recordConsents(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  input: { consents: ConsentStatement[]; occurredAt?: string | undefined },
  origin: ChangeOrigin,
): Promise<number> {
  const occurredAt = input.occurredAt ? new Date(input.occurredAt) : origin.now;
  if (occurredAt.getTime() > origin.now.getTime() + MAX_AHEAD_MS)
    throw new DomainError("invalid_request", "the consent's time lies in the future", [
      { path: "occurredAt", message: "must not be more than 5 minutes ahead" },
    ]);
  const inForce = new Map(
    (await currentConsents(tx, tenantId, customerId)).map((c) => [`${c.channel}/${c.purpose}`, c]),
  );
  const fresh = input.consents
    .map((statement) => {
      const current = inForce.get(`${statement.channel}/${statement.purpose}`);
      const inForceAt = current ? Date.parse(current.occurredAt) : Number.NEGATIVE_INFINITY;
      return {
        ...statement,
        id: `cns_${ulid()}`,
        changes: current?.granted !== statement.granted,
        // Only a choice at least as recent as the one in force changes what is in force.
        takesEffect: inForceAt <= occurredAt.getTime(),
        later: inForceAt < occurredAt.getTime(),
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
        occurredAt: occurredAt.toISOString(),
        channel: f.channel,
        purpose: f.purpose,
        granted: f.granted,
        source: origin.source,
      })),
  );
  return fresh.length;
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
