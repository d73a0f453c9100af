import type { Db } from "@regulars/db";
import { Channel, type RenderedContent } from "@regulars/messaging";

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
  /** A one-time code or notice the customer asked for: no consent or caps, sent to `toAddress`, void at `expiresAt`. */
  transactional: boolean;
  expiresAt: Date | null;
  /** The zone a campaign's message was timed in at planning; null for one queued before it was kept. */
  deliveryZone?: string | null;
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
  transactional: boolean;
  expires_at: Date | null;
  delivery_zone: string | null;
}

/**
 * Claims up to `limit` queued messages that are due (`next_attempt_at`, which starts at `send_at`, has come).
 * `FOR UPDATE SKIP LOCKED` and moving `next_attempt_at` to the lease's end in the same statement mean two senders
 * never take the same attempt; a sender that dies mid-send leaves the message to be taken again after the lease.
 * Each channel with room is read on its own, through the index by (channel, due time), for no more than its room:
 * a channel at its share is not read at all. (One scan of every queued message that filtered the full channels
 * out read a 100,000-message broadcast's whole queue on every claim while e-mail was at its share.) Messages beyond
 * `limit` are locked only for the statement and stay queued. Transactional messages (a till's code) are read first,
 * through their own index, and taken first: a customer waiting at the till does not wait behind a broadcast.
 */
export async function claimDueMessages(db: Db, opts: MessageClaimOptions): Promise<ClaimedMessage[]> {
  if (opts.limit <= 0) return [];
  const leaseUntil = new Date(opts.now.getTime() + opts.leaseMs);
  const perChannel = opts.perChannel ?? opts.limit;
  const room = Channel.options
    .map((channel) => ({ channel, room: Math.min(opts.limit, perChannel - (opts.inFlight?.get(channel) ?? 0)) }))
    .filter((c) => c.room > 0);
  if (!room.length) return [];
  const anyTenant = opts.tenantIds === undefined;
  const tenantIds = opts.tenantIds ?? [];
  const rows = await db.$queryRaw<ClaimedRow[]>`
    WITH windows AS (
      SELECT * FROM unnest(${room.map((c) => c.channel)}::text[], ${room.map((c) => c.room)}::int[]) AS w(channel, room)
    ), candidates AS (
      SELECT m.id, m.next_attempt_at, true AS first, w.channel, w.room
      FROM windows w
      CROSS JOIN LATERAL (
        SELECT id, next_attempt_at FROM messages
        WHERE status = 'queued' AND transactional AND channel = w.channel AND next_attempt_at <= ${opts.now}
          AND send_at <= ${opts.now} AND (${anyTenant} OR tenant_id = ANY(${tenantIds}::text[]))
        ORDER BY next_attempt_at
        LIMIT w.room
        FOR UPDATE SKIP LOCKED
      ) m
      UNION ALL
      SELECT m.id, m.next_attempt_at, false AS first, w.channel, w.room
      FROM windows w
      CROSS JOIN LATERAL (
        SELECT id, next_attempt_at FROM messages
        WHERE status = 'queued' AND channel = w.channel AND next_attempt_at <= ${opts.now} AND send_at <= ${opts.now}
          AND (${anyTenant} OR tenant_id = ANY(${tenantIds}::text[]))
        ORDER BY next_attempt_at
        LIMIT w.room
        FOR UPDATE SKIP LOCKED
      ) m
    ), picked AS (
      -- A transactional message is read by both scans: counted once, and each channel kept to its room.
      SELECT id FROM (
        SELECT id, first, next_attempt_at, room,
          row_number() OVER (PARTITION BY channel ORDER BY first DESC, next_attempt_at) AS n
        FROM (SELECT DISTINCT ON (id) * FROM candidates ORDER BY id, first DESC) once
      ) ranked
      WHERE n <= room
      ORDER BY first DESC, next_attempt_at LIMIT ${opts.limit}
    )
    UPDATE messages m SET next_attempt_at = ${leaseUntil}
    FROM picked p WHERE m.id = p.id
    RETURNING m.id, m.tenant_id, m.customer_id, m.campaign_id, m.channel, m.to_address, m.content, m.send_at,
              m.attempts, m.transactional, m.expires_at, m.delivery_zone`;
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
      transactional: r.transactional,
      expiresAt: r.expires_at,
      deliveryZone: r.delivery_zone,
    }))
    .sort((a, b) => Number(b.transactional) - Number(a.transactional) || a.sendAt.getTime() - b.sendAt.getTime());
}
