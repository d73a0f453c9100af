import type { Db } from "@regulars/db";
import type { Channel, RenderedContent } from "@regulars/messaging";

/** A queued message taken for one attempt, with what sending it needs. */
export interface ClaimedMessage {
  id: string;
  tenantId: string;
  customerId: string | null;
  campaignId: string | null;
  channel: Channel;
  /** The address it was queued for; the sender sends to the customer's address at the time of sending. */
  toAddress: string;
  content: RenderedContent;
  sendAt: Date;
  /** Attempts made before this one: the result is recorded only if no other attempt was recorded since. */
  attempts: number;
}

export interface MessageClaimOptions {
  now: Date;
  limit: number;
  /** How long the claim holds: longer than a send can take, so no other sender takes it meanwhile. */
  leaseMs: number;
  /** Only these tenants' messages (an operator's run for some tenants; tests sharing a database); all if absent. */
  tenantIds?: readonly string[];
  /**
   * Most messages of one channel in flight, counting `inFlight`: a provider that hangs holds at most this many of
   * the sender's slots, and the other channels' messages keep going out. No limit when absent.
   */
  perChannel?: number;
  /** Messages this sender has in flight, by channel. */
  inFlight?: ReadonlyMap<Channel, number>;
}

interface ClaimedRow {
  id: string;
  tenant_id: string;
  customer_id: string | null;
  campaign_id: string | null;
  channel: string;
  to_address: string;
  content: RenderedContent;
  send_at: Date;
  attempts: number;
}

/**
 * Claims up to `limit` queued messages that are due (`next_attempt_at`, which starts at `send_at`, has come).
 * `FOR UPDATE SKIP LOCKED` and moving `next_attempt_at` to the lease's end in the same statement mean two senders
 * never take the same attempt; a sender that dies mid-send leaves the message to be taken again after the lease.
 * Candidates beyond a channel's share are locked only for the statement and stay queued for the next claim.
 */
export async function claimDueMessages(db: Db, opts: MessageClaimOptions): Promise<ClaimedMessage[]> {
  if (opts.limit <= 0) return [];
  const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
  const busy = [...(opts.inFlight ?? new Map<Channel, number>())];
  const perChannel = opts.perChannel ?? opts.limit;
  const saturated = busy.filter(([, n]) => n >= perChannel).map(([channel]) => channel);
  const rows = await db.$queryRaw<ClaimedRow[]>`
    WITH candidates AS (
      SELECT id, channel, next_attempt_at FROM messages
      WHERE status = 'queued' AND next_attempt_at <= ${opts.now} AND send_at <= ${opts.now}
        AND NOT (channel = ANY(${saturated}::text[]))
        AND (${opts.tenantIds === undefined} OR tenant_id = ANY(${opts.tenantIds ?? []}::text[]))
      ORDER BY next_attempt_at
      LIMIT ${opts.limit * 3}
      FOR UPDATE SKIP LOCKED
    ), ranked AS (
      SELECT c.id, c.next_attempt_at,
             row_number() OVER (PARTITION BY c.channel ORDER BY c.next_attempt_at, c.id) + coalesce(b.n, 0) AS slot
      FROM candidates c
      LEFT JOIN unnest(${busy.map(([c]) => c)}::text[], ${busy.map(([, n]) => n)}::int[]) AS b(channel, n)
        ON b.channel = c.channel
    ), picked AS (
      SELECT id FROM ranked WHERE slot <= ${perChannel} ORDER BY next_attempt_at LIMIT ${opts.limit}
    )
    UPDATE messages m SET next_attempt_at = ${leaseUntil}
    FROM picked p WHERE m.id = p.id
    RETURNING m.id, m.tenant_id, m.customer_id, m.campaign_id, m.channel, m.to_address, m.content, m.send_at,
              m.attempts`;
  return rows
    .map((r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      customerId: r.customer_id,
      campaignId: r.campaign_id,
      channel: r.channel as Channel,
      toAddress: r.to_address,
      content: r.content,
      sendAt: r.send_at,
      attempts: r.attempts,
    }))
    .sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime());
}
