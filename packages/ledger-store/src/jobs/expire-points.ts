import { exactNumber, Prisma, type RawTx, sqlArray, withTransaction } from "@regulars/db";
import { addMonthsLocal, inactivityExpiry } from "@regulars/rules";
import { postAndAnnounce } from "../accounts/announce.ts";
import { lotWithPointsToExpire } from "../accounts/expiring.ts";
import { type InactivityClock, inactivityClocksBetween, inactivityClocksOf } from "../accounts/inactivity-clock.ts";
import { lockCustomers } from "../customers/loyalty-state.ts";
import { erasedAmong } from "../customers/resolve.ts";
import { heldByCustomer } from "../holds/checkout-state.ts";
import { expireLapsedHolds, holdLapsed } from "../holds/release.ts";
import { handOverCommitted, type JobContext, type JobResult, SLICE } from "./context.ts";
import { announcedInactivityExpiries } from "./inactivity-notice.ts";

/**
 * Expires points under the tenant's policy. Idempotent by construction: each expiry movement's key
 * names what it expires (a lot, or a customer's balance as of their last activity), so a rerun after a
 * crash, or a second instance, posts nothing new.
 *
 * A lot's date is fixed when it is awarded (SPEC), so dated lots expire on their date whatever the policy is
 * now: a version under `after_earning` dated them, and a later switch to `none` or `inactivity` does not undo
 * that, and whether or not they were released yet. Only lots with `expires_at` are touched, and only an
 * `after_earning` version sets it. `slice`: how many lots' customers, or customers inactive, one transaction takes at
 * most (smaller in tests). Each transaction's events go to `ctx.publish` once committed (`handOverCommitted`).
 */
export async function expirePoints(ctx: JobContext, slice = SLICE): Promise<JobResult> {
  // Inactivity first: a balance due for inactivity goes in one movement, its dated lots with it. Either order
  // expires the same points, as a lot's expiry does not move the inactivity clock (only inactivity expiries do).
  const inactive =
    ctx.programme.config.expiry.kind === "inactivity" ? await expireInactive(ctx, slice) : { acted: 0, outbox: [] };
  const lots = await expireLots(ctx, slice);
  return { acted: inactive.acted + lots.acted, outbox: [...inactive.outbox, ...lots.outbox] };
}

/**
 * Expires the dated lots due by now, `slice` lots' customers at a time. A customer whose checkout holds points keeps
 * them until the hold ends (`holdLapsed`: a hold claimed by its sale holds for a grace after its expiry), and the next
 * pass expires them. Such customers are not picked, and one picked but left all the same (a hold placed since, or
 * lots expired before) is not picked again: the pass ends once no other customer's lot is due, never earlier.
 */
async function expireLots(ctx: JobContext, slice: number): Promise<JobResult> {
  const result: JobResult = { acted: 0, outbox: [] };
  const left: string[] = [];
  for (;;) {
    const done = await withTransaction(ctx.db, async (tx) => {
      const due = await tx.$queryRaw<{ customer_id: string }[]>`
        SELECT DISTINCT customer_id FROM (
          SELECT customer_id FROM point_lots l
          WHERE tenant_id = ${ctx.tenantId} AND ${lotWithPointsToExpire("l")} AND expires_at <= ${ctx.now}
            AND customer_id <> ALL(${left}::text[])
            AND NOT EXISTS (
              SELECT 1 FROM checkout_holds h WHERE h.tenant_id = l.tenant_id AND h.customer_id = l.customer_id
                AND h.status = 'held' AND h.points > 0 AND NOT ${holdLapsed(ctx.now, "h")})
          ORDER BY expires_at, id LIMIT ${slice}) d`;
      if (!due.length) return null;
      const picked = due.map((d) => d.customer_id);
      // Lock the customers (as a hold is placed), then their accounts, before reading what is left of their lots:
      // a spend queued on the same account must land first (taking from the oldest lot), or wait until the
      // expiry is posted; a hold placed meanwhile is seen.
      const customers = await lockedWithoutHeldPoints(tx, ctx, picked);
      if (!customers.length) return { items: [], count: 0, left: picked };
      await tx.$queryRaw`SELECT id FROM ledger_accounts WHERE tenant_id = ${ctx.tenantId} AND kind = 'points' AND owner = ANY(${customers}::text[]) ORDER BY id FOR UPDATE`;
      const lots = await tx.$queryRaw<{ id: bigint; customer_id: string; remaining: bigint; key: string }[]>(
        expiredLotsStatement(ctx.tenantId, customers, ctx.now),
      );
      if (!lots.length) return { items: [], count: 0, left: picked };
      const { posted, outbox: items } = await postAndAnnounce(
        tx,
        lots.map((l) => ({
          tenantId: ctx.tenantId,
          customerId: l.customer_id,
          kind: "expire" as const,
          unit: "points" as const,
          amount: -exactNumber(l.remaining),
          idempotencyKey: `expire:lot:${l.id}`,
          sourceKey: l.key,
          occurredAt: ctx.now,
          reason: "points reached their expiry date",
        })),
        // A pass posts thousands of movements: their events as one outbox row, not a row each.
        { milestonesOf: () => ctx.programme.config.milestones, batch: true },
      );
      // Nothing new posted for a customer: what is left of their lots was expired before, or a hold keeps it.
      const postedFor = new Set(posted.map((m) => m.customerId));
      return { items, count: posted.length, left: picked.filter((c) => !postedFor.has(c)) };
    });
    if (!done) return result;
    result.acted += done.count;
    await handOverCommitted(ctx, result, done.items);
    left.push(...done.left);
  }
}

/**
 * Expires the balances due for inactivity, a page of `slice` candidate customers (by id) at a time, each page's in its
 * own transaction: a pass that fails on a later page keeps the expiries of those before (their keys make a rerun
 * post nothing for them), and the next page starts after the last customer of this one.
 */
async function expireInactive(ctx: JobContext, slice: number): Promise<JobResult> {
  const policy = ctx.programme.config.expiry;
  if (policy.kind !== "inactivity") return { acted: 0, outbox: [] };
  const result: JobResult = { acted: 0, outbox: [] };
  const isDue = (c: InactivityClock) =>
    c.balance > 0n &&
    (inactivityExpiry(policy, c.clock_at.toISOString(), ctx.programme.timezone)?.getTime() ?? Infinity) <=
      ctx.now.getTime();
  // Candidates by a generous bound; the exact local-calendar check is the rules engine's. Four days: going back
  // clamps a month's end (28 February less 6 months is 28 August), so 31 August's expiry would wait for March.
  const upTo = inactiveSince(ctx.now, policy.months, ctx.programme.timezone, 4);
  const period = { months: policy.months, timezone: ctx.programme.timezone };
  let afterId = "";
  for (;;) {
    const candidates = await inactivityClocksBetween(ctx.db, ctx.tenantId, period, { upTo, afterId, limit: slice });
    if (!candidates.length) return result;
    afterId = candidates[candidates.length - 1]!.customer_id;
    const due = candidates.filter(isDue);
    if (!due.length) continue;
    const items = await withTransaction(ctx.db, async (tx) => {
      // Re-read under lock: a purchase may have landed since the candidates were chosen, or a hold been placed (the
      // points a checkout holds are expired by the next pass, once the hold has ended).
      const unheld = await lockedWithoutHeldPoints(
        tx,
        ctx,
        due.map((d) => d.customer_id),
      );
      await tx.$queryRaw`SELECT id FROM ledger_accounts WHERE tenant_id = ${ctx.tenantId} AND kind = 'points' AND owner = ANY(${unheld}::text[]) ORDER BY id FOR UPDATE`;
      const reread = (await inactivityClocksOf(tx, ctx.tenantId, unheld, period)).filter(isDue);
      // Never before the customer was told: only once the period's notice is out and the date it named has come
      // (`sendExpiryNotices` moves an expiry first announced when already due a notice period on). A notice already
      // out keeps its date though the notice period is lowered to none since: the customer was promised that day.
      // An erased customer is never told (`sendExpiryNotices`): their points go on the date, as with no notice period.
      const announced = await announcedInactivityExpiries(tx, ctx.tenantId, reread);
      const erased = new Set(
        await erasedAmong(
          tx,
          reread.map((c) => c.customer_id),
        ),
      );
      const stillDue = reread.filter((c) => {
        const told = announced.get(c.customer_id);
        return told ? told <= ctx.now : policy.noticeDays === 0 || erased.has(c.customer_id);
      });
      // The clock names the period: this expiry moves it, so points credited later get a key of their own.
      const keyOf = new Map(
        stillDue.map((c) => [c.customer_id, `expire:inactive:${c.customer_id}:${c.clock_at.toISOString()}`]),
      );
      const lotsBefore = await spendableLots(
        tx,
        ctx.tenantId,
        stillDue.map((c) => c.customer_id),
      );
      const { posted, outbox: items } = await postAndAnnounce(
        tx,
        stillDue.map((c) => ({
          tenantId: ctx.tenantId,
          customerId: c.customer_id,
          kind: "expire" as const,
          unit: "points" as const,
          amount: -exactNumber(c.balance),
          idempotencyKey: keyOf.get(c.customer_id)!,
          occurredAt: ctx.now,
          reason: `no purchase for ${policy.months} months`,
        })),
        // A pass posts thousands of movements: their events as one outbox row, not a row each.
        { milestonesOf: () => ctx.programme.config.milestones, batch: true },
      );
      const postedFor = new Set(posted.map((m) => m.customerId));
      await recordInactivityTakes(
        tx,
        lotsBefore.filter((l) => postedFor.has(l.customer_id)),
        keyOf,
      );
      result.acted += posted.length;
      return items;
    });
    await handOverCommitted(ctx, result, items);
  }
}

/**
 * Locks the customers, as a checkout hold is placed, and keeps those with no points held by one in force. Their holds
 * past their expiry are ended first, as a new hold ends them (`expireLapsedHolds`): such a hold reserves nothing, yet
 * a sale the gateway received before its expiry still commits it, and would spend the points expired here again.
 */
async function lockedWithoutHeldPoints(tx: RawTx, ctx: JobContext, customerIds: string[]): Promise<string[]> {
  await lockCustomers(tx, customerIds);
  await expireLapsedHolds(tx, ctx.tenantId, customerIds, ctx.now);
  const holding = await heldByCustomer(tx, ctx.tenantId, customerIds, ctx.now);
  return customerIds.filter((c) => !holding.get(c)?.points);
}

type OpenLot = { id: bigint; customer_id: string; remaining: bigint };

/** The customers' spendable lots with points left: those an expiry of their balance takes from. */
function spendableLots(tx: RawTx, tenantId: string, customerIds: string[]): Promise<OpenLot[]> {
  if (!customerIds.length) return Promise.resolve([]);
  return tx.$queryRaw<OpenLot[]>`
    SELECT id, customer_id, remaining FROM point_lots
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${customerIds}::text[]) AND released AND remaining > 0`;
}

/**
 * Records on each lot what the inactivity expiry just posted took of it (the movement is aimed at no lot: it takes the
 * whole balance): a refund of the lot's sale spares those points as it spares a lot's own expiry (`expiredPointsColumn`).
 * In the expiry's transaction, for the expiries it posted only, so a rerun records nothing twice.
 */
async function recordInactivityTakes(tx: RawTx, before: OpenLot[], keyOf: Map<string, string>): Promise<void> {
  if (!before.length) return;
  await tx.$executeRaw`
    UPDATE point_lots l SET inactivity_expired = b.remaining - l.remaining, inactivity_expiry_key = b.key
    FROM unnest(${sqlArray(before.map((l) => l.id))}::int8[], ${sqlArray(before.map((l) => l.remaining))}::int8[],
      ${sqlArray(before.map((l) => keyOf.get(l.customer_id)!))}::text[]) AS b(id, remaining, key)
    WHERE l.id = b.id AND l.remaining < b.remaining`;
}

/**
 * The due customers' lots that expired by `now`, oldest expiry first, through `point_lots_customer_live_idx`. Pending
 * lots too (`lotWithPointsToExpire`): the date was fixed at award, and a lot still pending on it loses its points from
 * the pending account (the expiry aims at the lot) instead of being released and expired at once, days late.
 */
export function expiredLotsStatement(tenantId: string, customerIds: string[], now: Date): Prisma.Sql {
  return Prisma.sql`
    SELECT l.id, l.customer_id, l.remaining, m.idempotency_key AS key FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
    WHERE l.tenant_id = ${tenantId} AND l.customer_id = ANY(${customerIds}::text[]) AND ${lotWithPointsToExpire("l")}
      AND l.expires_at <= ${now}
    ORDER BY l.expires_at, l.id`;
}

/** `months` before `at` in the tenant's calendar, moved `slackDays` later: a bound for candidate clocks. */
export function inactiveSince(at: Date, months: number, timezone: string, slackDays: number): Date {
  return new Date(addMonthsLocal(at.toISOString(), -months, timezone).getTime() + slackDays * 86_400_000);
}
