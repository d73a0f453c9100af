import type { LoyaltyEvent } from "@regulars/contracts";
import { exactNumber, withTransaction } from "@regulars/db";
import { inactivityExpiry, localDate, noticeAt, startOfNextLocalDay } from "@regulars/rules";
import { outboxItem, writeOutbox } from "../outbox.ts";
import { type JobContext, type JobResult, SLICE } from "./context.ts";

/**
 * "Your 80 points expire in 14 days": one points.expiring event per customer and expiry date. The
 * event id names the customer and the date, and the outbox ignores an id it has, so notices are sent
 * once however often the job runs.
 */
export async function sendExpiryNotices(ctx: JobContext): Promise<JobResult> {
  const policy = ctx.programme.config.expiry;
  if (policy.kind === "none" || policy.noticeDays === 0) return { acted: 0, outbox: [] };
  const noticeEdge = new Date(ctx.now.getTime() + policy.noticeDays * 24 * 60 * 60 * 1000);
  // A notice covers a whole local day of expiries (its id is customer + date), so the window runs to
  // the end of the day it reaches: points expiring later that day are announced in the same notice.
  const horizon =
    policy.kind === "after_earning"
      ? startOfNextLocalDay(noticeEdge.toISOString(), ctx.programme.timezone)
      : noticeEdge;
  const events: LoyaltyEvent[] = [];
  const tz = ctx.programme.timezone;

  if (policy.kind === "after_earning") {
    const rows = await ctx.db.$queryRaw<{ customer_id: string; expires_at: Date; points: bigint }[]>`
      SELECT customer_id, expires_at, sum(remaining) AS points FROM point_lots
      WHERE tenant_id = ${ctx.tenantId} AND released AND remaining > 0 AND expires_at > ${ctx.now} AND expires_at < ${horizon}
      GROUP BY customer_id, expires_at ORDER BY expires_at LIMIT ${SLICE * 10}`;
    const byDay = new Map<string, { customerId: string; expiresAt: Date; points: number }>();
    for (const r of rows) {
      const key = `${r.customer_id}:${localDate(r.expires_at.toISOString(), tz)}`;
      const e = byDay.get(key) ?? { customerId: r.customer_id, expiresAt: r.expires_at, points: 0 };
      e.points += exactNumber(r.points);
      byDay.set(key, e);
    }
    for (const [key, e] of byDay) {
      events.push({
        type: "points.expiring",
        id: `expiring:${key}`,
        tenantId: ctx.tenantId,
        customerId: e.customerId,
        occurredAt: ctx.now.toISOString(),
        points: e.points,
        expiresAt: e.expiresAt.toISOString(),
      });
    }
  } else {
    const rows = await ctx.db.$queryRaw<{ customer_id: string; last_activity_at: Date; balance: bigint }[]>`
      SELECT l.customer_id, l.last_activity_at, a.balance FROM customer_loyalty l
      JOIN ledger_accounts a ON a.tenant_id = l.tenant_id AND a.owner = l.customer_id AND a.kind = 'points'
      WHERE l.tenant_id = ${ctx.tenantId} AND a.balance > 0
        AND l.last_activity_at <= ${horizon}::timestamptz - make_interval(months => ${policy.months}) + interval '1 day'
        AND l.last_activity_at > ${ctx.now}::timestamptz - make_interval(months => ${policy.months}) - interval '1 day'`;
    for (const r of rows) {
      const expiry = inactivityExpiry(policy, r.last_activity_at.toISOString(), tz)!;
      if (noticeAt(expiry, policy.noticeDays) > ctx.now || expiry <= ctx.now) continue;
      events.push({
        type: "points.expiring",
        id: `expiring:inactive:${r.customer_id}:${r.last_activity_at.toISOString()}`,
        tenantId: ctx.tenantId,
        customerId: r.customer_id,
        occurredAt: ctx.now.toISOString(),
        points: exactNumber(r.balance),
        expiresAt: expiry.toISOString(),
      });
    }
  }
  if (!events.length) return { acted: 0, outbox: [] };
  const fresh = await withTransaction(ctx.db, async (tx) => {
    const known = new Set(
      (
        await tx.$queryRaw<
          { id: string }[]
        >`SELECT id FROM outbox_events WHERE id = ANY(${events.map((e) => e.id)}::text[])`
      ).map((r) => r.id),
    );
    const items = events.filter((e) => !known.has(e.id)).map(outboxItem);
    await writeOutbox(tx, items);
    return items;
  });
  return { acted: fresh.length, outbox: fresh };
}
