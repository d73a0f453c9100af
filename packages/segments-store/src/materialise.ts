import type { AnalystSqlTarget } from "@regulars/analytics";
import type { SegmentEntered, SegmentLeft } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { type OutboxItem, writeOutbox } from "@regulars/ledger-store";
import { evaluateSegment } from "./member-ids.ts";
import { getSegment, sourceOf } from "./segments.ts";
import { tenantTimezone } from "./tenant.ts";

export interface SegmentRefresh {
  segmentId: string;
  /** This refresh's number: the segment.entered / segment.left events' ids carry it. */
  refresh: number;
  members: number;
  entered: number;
  left: number;
  /** Committed segment.entered / segment.left events, for the caller to publish (the outbox relay does otherwise). */
  outbox: OutboxItem[];
}

/** Stable per segment, customer and refresh: writing the same refresh again adds nothing to the outbox. */
export const segmentEventId = (
  type: "segment.entered" | "segment.left",
  segmentId: string,
  customerId: string,
  refresh: number,
) => `${type}:${segmentId}:${customerId}:${refresh}`;

/**
 * Materialises a segment as of `now`: its members from ClickHouse, then in one Postgres transaction the
 * difference with the stored members, set-based (a temporary table, one INSERT … ON CONFLICT and one DELETE
 * against it), and a segment.entered or segment.left event per change in the outbox. The segment row is
 * locked first, so two refreshes of one segment take turns and the second sees the first's members: each
 * change is announced once. Only the tenant's own customers can become members, whatever a raw query returns.
 */
export async function materialiseSegment(
  deps: { db: Db; analytics: AnalystSqlTarget },
  tenantId: string,
  segmentId: string,
  now: Date,
): Promise<SegmentRefresh> {
  const segment = await getSegment(deps.db, tenantId, segmentId);
  const timezone = await tenantTimezone(deps.db, tenantId);
  const ids = await evaluateSegment(deps.analytics, sourceOf(segment), { tenantId, timezone, now });
  return withTransaction(deps.db, (tx) => applyMembers(tx, tenantId, segmentId, ids, now), { timeoutMs: 120_000 });
}

async function applyMembers(
  tx: DbTx,
  tenantId: string,
  segmentId: string,
  ids: string[],
  now: Date,
): Promise<SegmentRefresh> {
  const [locked] = await tx.$queryRaw<{ refreshes: number }[]>`
    SELECT refreshes FROM segments WHERE id = ${segmentId} AND tenant_id = ${tenantId} FOR UPDATE`;
  const refresh = (locked?.refreshes ?? 0) + 1;

  await tx.$executeRaw`CREATE TEMPORARY TABLE segment_refresh (customer_id text PRIMARY KEY) ON COMMIT DROP`;
  await tx.$executeRaw`
    INSERT INTO segment_refresh (customer_id)
    SELECT DISTINCT r.id FROM unnest(${ids}::text[]) AS r(id)
    JOIN customers c ON c.id = r.id AND c.tenant_id = ${tenantId}`;
  // Without statistics the planner guesses a tiny table and may choose nested loops over 100k rows.
  await tx.$executeRaw`ANALYZE segment_refresh`;

  const entered = await tx.$queryRaw<{ customer_id: string }[]>`
    INSERT INTO segment_members (segment_id, customer_id, tenant_id, entered_at)
    SELECT ${segmentId}, customer_id, ${tenantId}, ${now} FROM segment_refresh
    ON CONFLICT (segment_id, customer_id) DO NOTHING
    RETURNING customer_id`;
  const left = await tx.$queryRaw<{ customer_id: string }[]>`
    DELETE FROM segment_members m
    WHERE m.segment_id = ${segmentId}
      AND NOT EXISTS (SELECT 1 FROM segment_refresh r WHERE r.customer_id = m.customer_id)
    RETURNING customer_id`;
  const [{ members } = { members: 0 }] = await tx.$queryRaw<{ members: number }[]>`
    SELECT count(*)::int AS members FROM segment_refresh`;

  const occurredAt = now.toISOString();
  const event = (type: "segment.entered" | "segment.left", customerId: string): SegmentEntered | SegmentLeft => ({
    type,
    id: segmentEventId(type, segmentId, customerId, refresh),
    tenantId,
    customerId,
    segmentId,
    refresh,
    occurredAt,
  });
  const outbox: OutboxItem[] = [
    ...entered.map((r) => event("segment.entered", r.customer_id)),
    ...left.map((r) => event("segment.left", r.customer_id)),
  ].map((e) => ({ id: e.id, tenantId, type: e.type, payload: e }));
  await writeOutbox(tx, outbox);

  await tx.$executeRaw`
    UPDATE segments SET refreshes = ${refresh}, refreshed_at = ${now}, member_count = ${members}, last_error = NULL
    WHERE id = ${segmentId} AND tenant_id = ${tenantId}`;
  return { segmentId, refresh, members, entered: entered.length, left: left.length, outbox };
}
