import { type RawTx, sqlArray } from "@regulars/db";
import type { InactivityClock } from "../accounts/inactivity-clock.ts";

const DAY_MS = 86_400_000;

/** The points.expiring id of a clock's inactivity notice: one notice per customer and period. */
export function inactivityNoticeId(c: Pick<InactivityClock, "customer_id" | "clock_at">): string {
  return `expiring:inactive:${c.customer_id}:${c.clock_at.toISOString()}`;
}

/**
 * How late a first notice may be written and still count as on schedule. The jobs run at least daily, so the first
 * run inside the notice window comes at most a day after the notice date: 25 h for a daily run by local time over
 * the autumn DST change, and an hour more covers a pass that starts late. A notice that late keeps the computed
 * date, so a daily scheduler never postpones an on-time expiry; the customer gets at worst noticeDays less the slack.
 */
const SCHEDULE_SLACK_MS = DAY_MS + 2 * 3_600_000;

/**
 * The expiry a notice written at `now` announces. A notice on schedule (the date `computed` at least noticeDays
 * less `SCHEDULE_SLACK_MS` ahead) announces `computed`. One written later (the jobs did not run, the tenant just
 * switched to inactivity, a corrected clock put the date near or in the past) announces a full notice period from
 * now: SPEC promises the notice N days before the points go, and `expirePoints` keeps to the date announced. Only
 * a clock's first notice asks (the outbox keeps one per clock), so the date does not move on later runs.
 */
export function announcedExpiry(computed: Date, now: Date, noticeDays: number): Date {
  const ahead = computed.getTime() - now.getTime();
  // A short notice period keeps at least half of itself: a day's slack would take all of a one-day notice.
  const slack = Math.min(SCHEDULE_SLACK_MS, (noticeDays * DAY_MS) / 2);
  const onSchedule = ahead > 0 && ahead >= noticeDays * DAY_MS - slack;
  return onSchedule ? computed : new Date(now.getTime() + noticeDays * DAY_MS);
}

/**
 * The expiry each clock's inactivity notice announced, by customer: the notice's outbox row, by the id that names
 * the customer and the clock, so a notice of an earlier period does not count. `expirePoints` keeps to this date
 * and message variables name it, so both read it here.
 */
export async function announcedInactivityExpiries(
  tx: RawTx,
  tenantId: string,
  clocks: readonly Pick<InactivityClock, "customer_id" | "clock_at">[],
): Promise<Map<string, Date>> {
  if (!clocks.length) return new Map();
  const byNotice = new Map(clocks.map((c) => [inactivityNoticeId(c), c.customer_id]));
  const rows = await tx.$queryRaw<{ id: string; expires_at: Date }[]>`
    SELECT id, (payload->>'expiresAt')::timestamptz AS expires_at FROM outbox_events
    WHERE id = ANY(${sqlArray([...byNotice.keys()])}::text[]) AND tenant_id = ${tenantId} AND type = 'points.expiring'`;
  return new Map(rows.map((r) => [byNotice.get(r.id)!, r.expires_at]));
}

/*
 * The notice's outbox row is the record `expirePoints` waits for: `pruneOutbox` keeps a points.expiring row until
 * two days after the expiry it announces, and the scheduler expires before it prunes; a row pruned unacted on (an
 * expiry job failing for days) is written again by the notice job, so the customer is told again rather than not
 * at all.
 */
