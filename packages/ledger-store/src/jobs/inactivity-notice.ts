import type { RawTx } from "@regulars/db";
import type { InactivityClock } from "../accounts/inactivity-clock.ts";

const DAY_MS = 86_400_000;

/** The points.expiring id of a clock's inactivity notice: one notice per customer and period. */
export function inactivityNoticeId(c: Pick<InactivityClock, "customer_id" | "clock_at">): string {
  return `expiring:inactive:${c.customer_id}:${c.clock_at.toISOString()}`;
}

/**
 * The expiry a notice written at `now` announces. An expiry already due when first announced (the jobs did not
 * run, the tenant just switched to inactivity, or a corrected clock put it in the past) moves to a full notice
 * period from now: SPEC promises the notice before the points go, and `expirePoints` keeps to the date announced.
 */
export function announcedExpiry(computed: Date, now: Date, noticeDays: number): Date {
  return computed > now ? computed : new Date(now.getTime() + noticeDays * DAY_MS);
}

/**
 * The customers among `clocks` whose inactivity notice was written and announced an expiry that has come by `now`.
 * The notice's outbox row is the record: `pruneOutbox` keeps a points.expiring row until two days after the expiry
 * it announces, and the scheduler expires before it prunes; a row pruned unacted on (an expiry job failing for
 * days) is written again by the notice job, so the customer is told again rather than not at all.
 */
export async function noticedAndDue(
  tx: RawTx,
  tenantId: string,
  clocks: readonly InactivityClock[],
  now: Date,
): Promise<Set<string>> {
  if (!clocks.length) return new Set();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM outbox_events
    WHERE id = ANY(${clocks.map(inactivityNoticeId)}::text[]) AND tenant_id = ${tenantId} AND type = 'points.expiring'
      AND (payload->>'expiresAt')::timestamptz <= ${now}`;
  const served = new Set(rows.map((r) => r.id));
  return new Set(clocks.filter((c) => served.has(inactivityNoticeId(c))).map((c) => c.customer_id));
}
