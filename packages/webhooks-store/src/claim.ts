import type { Db } from "@regulars/db";

/** A delivery taken for one attempt, with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  eventType: string;
  /** The exact body to send and sign (the stored envelope). */
  body: string;
  url: string;
  /** Signing secrets: the current one, and the one before a rotation while it is still accepted. */
  secrets: string[];
  /** Attempts made before this one: the result is recorded only if no other attempt was recorded since. */
  attempts: number;
  windowStartedAt: Date;
  /** `attempts` when the window started (a replay): the backoff counts the attempts since. */
  attemptsBeforeWindow: number;
}

export interface ClaimOptions {
  now: Date;
  limit: number;
  /** How long the claim holds: longer than an attempt can take, so nobody else sends it meanwhile. */
  leaseMs: number;
  /** Most attempts in flight to one endpoint, counting `inFlight`: a slow receiver holds at most this many slots. */
  perEndpoint: number;
  /** Attempts this sender has in flight, by endpoint. */
  inFlight?: ReadonlyMap<string, number>;
  /** Only these tenants' deliveries (an operator's run for some tenants; tests sharing a database); all if absent. */
  tenantIds?: readonly string[];
}

interface ClaimedRow {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_type: string;
  body: string;
  attempts: number;
  window_started_at: Date;
  attempts_before_window: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints for one attempt each. `FOR UPDATE SKIP LOCKED` and
 * moving `next_attempt_at` to the lease's end in the same statement mean two senders never take the same attempt;
 * a sender that dies mid-attempt leaves the delivery to be taken again when the lease ends. Each enabled endpoint
 * with room is read on its own, through the index by (endpoint, due time), for no more than its room, so an
 * endpoint already at `perEndpoint` attempts in flight is not read at all and its backlog never crowds out other
 * endpoints'. (One scan of every due delivery that filtered the full endpoints out read a receiver's whole
 * backlog, 100,000 deliveries after a broadcast, on every claim.) Deliveries beyond `limit` are locked only for
 * the statement and stay due.
 */
export async function claimDueDeliveries(db: Db, opts: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (opts.limit <= 0) return [];
  const busy = [...(opts.inFlight ?? new Map())];
  const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
  const rows = await db.$queryRaw<ClaimedRow[]>`
    WITH room AS (
      SELECT e.id, least(${opts.perEndpoint} - coalesce(b.n, 0), ${opts.limit}) AS room
      FROM webhook_endpoints e
      LEFT JOIN unnest(${busy.map(([id]) => id)}::text[], ${busy.map(([, n]) => n)}::int[]) AS b(endpoint_id, n)
        ON b.endpoint_id = e.id
      WHERE e.status = 'enabled' AND coalesce(b.n, 0) < ${opts.perEndpoint}
        AND (${opts.tenantIds === undefined} OR e.tenant_id = ANY(${opts.tenantIds ?? []}::text[]))
    ), candidates AS (
      SELECT d.id, d.next_attempt_at
      FROM room r
      CROSS JOIN LATERAL (
        SELECT id, next_attempt_at FROM webhook_deliveries
        WHERE endpoint_id = r.id AND status = 'pending' AND next_attempt_at <= ${opts.now}
        ORDER BY next_attempt_at
        LIMIT r.room
        FOR UPDATE SKIP LOCKED
      ) d
    ), picked AS (
      SELECT id FROM candidates ORDER BY next_attempt_at LIMIT ${opts.limit}
    )
    UPDATE webhook_deliveries d SET next_attempt_at = ${leaseUntil}
    FROM picked p, webhook_endpoints e
    WHERE d.id = p.id AND e.id = d.endpoint_id
    RETURNING d.id, d.tenant_id, d.endpoint_id, d.event_type, d.payload::text AS body, d.attempts,
              d.window_started_at, d.attempts_before_window,
              e.url, e.secret, e.previous_secret, e.previous_secret_expires_at`;
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    endpointId: r.endpoint_id,
    eventType: r.event_type,
    body: r.body,
    url: r.url,
    secrets:
      r.previous_secret && r.previous_secret_expires_at && r.previous_secret_expires_at > opts.now
        ? [r.secret, r.previous_secret]
        : [r.secret],
    attempts: r.attempts,
    windowStartedAt: r.window_started_at,
    attemptsBeforeWindow: r.attempts_before_window,
  }));
}
