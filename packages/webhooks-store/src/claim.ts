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
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

/**
 * Claims up to `limit` due deliveries of enabled endpoints for one attempt each. `FOR UPDATE SKIP LOCKED` and
 * moving `next_attempt_at` to the lease's end in the same statement mean two senders never take the same attempt;
 * a sender that dies mid-attempt leaves the delivery to be taken again when the lease ends. Endpoints already at
 * `perEndpoint` attempts in flight are passed over, so their backlog never crowds out other endpoints'.
 */
export async function claimDueDeliveries(db: Db, opts: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (opts.limit <= 0) return [];
  const busy = [...(opts.inFlight ?? new Map())];
  const busyIds = busy.map(([id]) => id);
  const busyCounts = busy.map(([, n]) => n);
  const saturated = busy.filter(([, n]) => n >= opts.perEndpoint).map(([id]) => id);
  const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
  const rows = await db.$queryRaw<ClaimedRow[]>`
    WITH candidates AS (
      SELECT d.id, d.endpoint_id, d.next_attempt_at
      FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.status = 'enabled'
      WHERE d.status = 'pending' AND d.next_attempt_at <= ${opts.now}
        AND NOT (d.endpoint_id = ANY(${saturated}::text[]))
        AND (${opts.tenantIds === undefined} OR d.tenant_id = ANY(${opts.tenantIds ?? []}::text[]))
      ORDER BY d.next_attempt_at
      LIMIT ${opts.limit * 4}
      FOR UPDATE OF d SKIP LOCKED
    ), ranked AS (
      SELECT c.id, c.next_attempt_at,
             row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.id) + coalesce(b.n, 0) AS slot
      FROM candidates c
      LEFT JOIN unnest(${busyIds}::text[], ${busyCounts}::int[]) AS b(endpoint_id, n) ON b.endpoint_id = c.endpoint_id
    ), picked AS (
      SELECT id FROM ranked WHERE slot <= ${opts.perEndpoint} ORDER BY next_attempt_at LIMIT ${opts.limit}
    )
    UPDATE webhook_deliveries d SET next_attempt_at = ${leaseUntil}
    FROM picked p, webhook_endpoints e
    WHERE d.id = p.id AND e.id = d.endpoint_id
    RETURNING d.id, d.tenant_id, d.endpoint_id, d.event_type, d.payload::text AS body, d.attempts,
              d.window_started_at, e.url, e.secret, e.previous_secret, e.previous_secret_expires_at`;
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
  }));
}
