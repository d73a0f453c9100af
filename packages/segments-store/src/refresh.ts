import type { AnalystSqlTarget } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { type MaterialiseOptions, materialiseSegment, type SegmentRefresh } from "./materialise.ts";

/**
 * Refreshes a segment now (on change, or asked for); a failure is recorded on the segment for its
 * owners to see, then thrown. A paused segment is left as it is unless `options.whenPaused` says "refresh".
 */
export async function refreshSegment(
  deps: { db: Db; analytics: AnalystSqlTarget },
  tenantId: string,
  segmentId: string,
  now: Date,
  options: MaterialiseOptions = {},
): Promise<SegmentRefresh> {
  try {
    return await materialiseSegment(deps, tenantId, segmentId, now, options);
  } catch (e) {
    const message = e instanceof Error ? e.message.slice(0, 1_000) : String(e);
    await deps.db.segment
      .updateMany({ where: { id: segmentId, tenantId }, data: { lastError: message } })
      .catch(() => undefined);
    throw e;
  }
}

/** The tenant's active segments whose refresh interval has passed since their last refresh (or never refreshed). */
export async function dueSegments(db: Db, tenantId: string, now: Date): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM segments
    WHERE tenant_id = ${tenantId} AND status = 'active'
      AND (refreshed_at IS NULL OR refreshed_at + make_interval(mins => refresh_interval_minutes) <= ${now})
    ORDER BY refreshed_at NULLS FIRST, id`;
  return rows.map((r) => r.id);
}

/**
 * The scheduled job: refreshes every due segment of the tenant, one at a time. A segment that fails is
 * recorded (lastError) and skipped; the next pass tries it again, since its refreshed_at did not move.
 */
export async function refreshDueSegments(ctx: {
  db: Db;
  analytics: AnalystSqlTarget;
  tenantId: string;
  now: Date;
  onError?: (segmentId: string, error: unknown) => void;
}): Promise<{ acted: number; outbox: [] }> {
  let acted = 0;
  for (const id of await dueSegments(ctx.db, ctx.tenantId, ctx.now)) {
    try {
      await refreshSegment(ctx, ctx.tenantId, id, ctx.now);
      acted++;
    } catch (e) {
      ctx.onError?.(id, e);
    }
  }
  // The events are in the outbox already; its relay publishes them (a large refresh is many thousands).
  return { acted, outbox: [] };
}
