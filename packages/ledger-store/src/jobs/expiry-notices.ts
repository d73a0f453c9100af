import { ExpiryPolicy, type LoyaltyEvent } from "@regulars/contracts";
import { exactNumber, withTransaction } from "@regulars/db";
import { inactivityExpiry, localDate, noticeAt, startOfNextLocalDay } from "@regulars/rules";
import { pseudonymiseErasedCustomers } from "../accounts/erased-events.ts";
import { lotWithPointsToExpire } from "../accounts/expiring.ts";
import { inactivityClocksBetween } from "../accounts/inactivity-clock.ts";
import { outboxItem, writeOutbox } from "../outbox.ts";
import { handOverCommitted, type JobContext, type JobResult, SLICE } from "./context.ts";
import { inactiveSince } from "./expire-points.ts";
import { announcedExpiry, inactivityNoticeId } from "./inactivity-notice.ts";

/** A policy's notice period; `none` names none, so it gets the schema's default, read from the schema so the two cannot drift. */
function noticeDaysOf(policy: ExpiryPolicy): number {
  if (policy.kind !== "none") return policy.noticeDays;
  return noticeDaysOf(ExpiryPolicy.parse({ kind: "after_earning", months: 1 }));
}

/**
 * "Your 80 points expire in 14 days": one points.expiring event per customer and expiry date. The
 * event id names the customer and the date, and the outbox ignores an id it has, so notices are sent
 * once however often the job runs.
 *
 * Dated lots are announced whatever the policy is now (their dates were fixed when they were awarded, and
 * `expirePoints` expires them on those dates), with the notice period of the policy in force, or the schema's
 * default under `none`, which has none; the ids do not name the policy, so a change of policy sends none twice.
 * `slice`: how many notices one transaction writes, and how many customers one read of inactivity clocks takes
 * (smaller in tests). Each slice's notices go to `ctx.publish` once committed, so the result holds only the count
 * and a crash leaves the relay no more than the slice in hand.
 */
export async function sendExpiryNotices(ctx: JobContext, slice = SLICE): Promise<JobResult> {
  const policy = ctx.programme.config.expiry;
  const noticeDays = noticeDaysOf(policy);
  if (noticeDays === 0) return { acted: 0, outbox: [] };
  const noticeEdge = new Date(ctx.now.getTime() + noticeDays * 24 * 60 * 60 * 1000);
  const result: JobResult = { acted: 0, outbox: [] };
  /** Writes the notices not written before, a slice per transaction. */
  const announce = async (events: LoyaltyEvent[]) => {
    for (let i = 0; i < events.length; i += slice) {
      const items = await freshNotices(ctx, events.slice(i, i + slice));
      result.acted += items.length;
      await handOverCommitted(ctx, result, items);
    }
  };

  // A notice covers a whole local day of expiries (its id is customer + date), so the window runs to the end
  // of the day it reaches: points expiring later that day are announced in the same notice. Read a day at a
  // time, every customer of it: a limit on the window's lots left whoever came after it unannounced (the
  // earliest 10,000 lots of a large tenant fill hours, not the 14 days of the notice).
  const horizon = startOfNextLocalDay(noticeEdge.toISOString(), ctx.programme.timezone);
  for (let from = ctx.now; from < horizon; ) {
    const to = startOfNextLocalDay(from.toISOString(), ctx.programme.timezone);
    await announce(await lotsExpiringBetween(ctx, from, to));
    from = to;
  }
  // Each page as it is read: a lapsed tenant's first pass holds a page in memory, not every customer, and a pass
  // that fails on a later page keeps what it wrote (the ids make the rerun skip those).
  for await (const page of inactivityNoticePages(ctx, noticeEdge, slice)) await announce(page);
  return result;
}

/**
 * One notice per customer whose lots expire in [from, to), after now: one local day's, the points and the earliest
 * expiry. Pending lots count (`lotWithPointsToExpire`): a lot whose date comes before its release is expired all the
 * same, and one released inside the notice period would otherwise be announced late, at its release.
 */
async function lotsExpiringBetween(ctx: JobContext, from: Date, to: Date): Promise<LoyaltyEvent[]> {
  const rows = await ctx.db.$queryRaw<{ customer_id: string; expires_at: Date; points: bigint }[]>`
    SELECT customer_id, min(expires_at) AS expires_at, sum(remaining) AS points FROM point_lots
    WHERE tenant_id = ${ctx.tenantId} AND ${lotWithPointsToExpire("point_lots")}
      AND expires_at > ${ctx.now} AND expires_at >= ${from} AND expires_at < ${to}
    GROUP BY customer_id ORDER BY customer_id`;
  return rows.map((r) => ({
    type: "points.expiring",
    id: `expiring:${r.customer_id}:${localDate(r.expires_at.toISOString(), ctx.programme.timezone)}`,
    tenantId: ctx.tenantId,
    customerId: r.customer_id,
    occurredAt: ctx.now.toISOString(),
    points: exactNumber(r.points),
    expiresAt: r.expires_at.toISOString(),
  }));
}

/**
 * Customers whose balance expires for inactivity within the notice period, or is due and not yet expired, a page of
 * `slice` customers (by id) at a time. A notice on schedule names the N-months date; one first written late names a
 * notice period from now, and `expirePoints` waits for the date announced (`announcedExpiry`).
 */
async function* inactivityNoticePages(ctx: JobContext, horizon: Date, slice: number): AsyncGenerator<LoyaltyEvent[]> {
  const policy = ctx.programme.config.expiry;
  if (policy.kind !== "inactivity") return;
  const zone = ctx.programme.timezone;
  // Clocks that end by the horizon, with four days' slack for months' ends. No lower bound: a clock that ended
  // unannounced still holds its points (an expiry moves the clock), and must be announced before they go.
  const range = { upTo: inactiveSince(horizon, policy.months, zone, 4) };
  const period = { months: policy.months, timezone: zone };
  for (let afterId = ""; ; ) {
    const rows = await inactivityClocksBetween(ctx.db, ctx.tenantId, period, { ...range, afterId, limit: slice });
    if (!rows.length) return;
    afterId = rows[rows.length - 1]!.customer_id;
    const events: LoyaltyEvent[] = [];
    for (const r of rows) {
      const expiry = inactivityExpiry(policy, r.clock_at.toISOString(), zone)!;
      if (noticeAt(expiry, policy.noticeDays) > ctx.now) continue;
      events.push({
        type: "points.expiring",
        id: inactivityNoticeId(r),
        tenantId: ctx.tenantId,
        customerId: r.customer_id,
        occurredAt: ctx.now.toISOString(),
        points: exactNumber(r.balance),
        expiresAt: announcedExpiry(expiry, ctx.now, policy.noticeDays).toISOString(),
      });
    }
    yield events;
  }
}

/**
 * Writes the events whose ids the outbox does not hold yet, and returns their items. An erased customer is told
 * nothing (there is nobody to tell, and the event would carry their id): `expirePoints` does not wait for their notice.
 */
function freshNotices(ctx: JobContext, notices: LoyaltyEvent[]) {
  return withTransaction(ctx.db, async (tx) => {
    const items = await pseudonymiseErasedCustomers(tx, notices.map(outboxItem));
    const known = new Set(
      (
        await tx.$queryRaw<
          { id: string }[]
        >`SELECT id FROM outbox_events WHERE id = ANY(${items.map((i) => i.id)}::text[])`
      ).map((r) => r.id),
    );
    const fresh = items.filter((i) => !known.has(i.id));
    await writeOutbox(tx, fresh);
    return fresh;
  });
}
