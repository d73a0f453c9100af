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
    await recordFailure(deps.db, tenantId, segmentId, message, now).catch(() => undefined);
    throw e;
  }
}

/**
 * The wait before a failed refresh is tried again: the scheduler's pass (a minute by default) after the first failure,
 * doubled after each further one in a row, up to an hour, and never longer than the segment's own interval.
 */
const RETRY_FIRST_MINUTES = 1;
const RETRY_MAX_DOUBLINGS = 6;
const RETRY_MAX_MINUTES = 60;

async function recordFailure(db: Db, tenantId: string, segmentId: string, message: string, now: Date) {
  // failed_refreshes on the right-hand side is the count before this failure.
  await db.$executeRaw`
    UPDATE segments SET last_error = ${message}, failed_refreshes = failed_refreshes + 1,
      retry_at = ${now}::timestamptz + make_interval(mins => least(refresh_interval_minutes, ${RETRY_MAX_MINUTES}::int,
        ${RETRY_FIRST_MINUTES}::int << least(failed_refreshes, ${RETRY_MAX_DOUBLINGS}::int)))
    WHERE id = ${segmentId} AND tenant_id = ${tenantId}`;
}

/**
 * The tenant's active segments to refresh: never refreshed, or whose members are of an older version of the
 * definition, or whose last refresh failed (each at once: they say what the segment no longer says, or nothing), or
 * whose interval has passed since their last refresh. A segment whose refresh failed waits until its `retry_at`.
 */
export async function dueSegments(db: Db, tenantId: string, now: Date): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM segments
    WHERE tenant_id = ${tenantId} AND status = 'active'
      AND (retry_at IS NULL OR retry_at <= ${now})
      AND (refreshed_at IS NULL OR refreshed_version IS DISTINCT FROM version OR last_error IS NOT NULL
        OR refreshed_at + make_interval(mins => refresh_interval_minutes) <= ${now})
    ORDER BY refreshed_at NULLS FIRST, id`;
  return rows.map((r) => r.id);
}

/**
 * The scheduled job: refreshes every due segment of the tenant, one at a time. A segment that fails is
 * recorded (lastError, retry_at) and skipped; a pass after its retry_at tries it again.
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
