import { type LoyaltyEvent, ProgrammeConfig, type TierLevel } from "@regulars/contracts";
import { type Db, type DbTx, sqlArray, withTransaction } from "@regulars/db";
import { programmeAt } from "@regulars/programme";
import {
  dueForTierJudging,
  effectiveTier,
  latestJudgedTierSince,
  localDate,
  tierFor,
  tierWindowStart,
} from "@regulars/rules";
import { pseudonymiseErasedCustomers } from "../accounts/erased-events.ts";
import { qualifyingValues } from "../accounts/qualifying.ts";
import { outboxItem, writeOutbox } from "../outbox.ts";
import { type JobContext, type JobResult, SLICE } from "./context.ts";
import { lockMembers, type Member } from "./tier-members.ts";
import { applyTierUpgrades } from "./tier-upgrades.ts";

/**
 * Downgrades at the end of the qualification period: a calendar-year programme re-qualifies every
 * customer on the tenant's local 1 January against the year that just ended (a tier reached in December
 * was reached on that year's value, so it is kept through the next year); a rolling programme each local
 * day against the last 12 months, but only members whose tier was reached (`tier_since`) at least 12 local
 * months ago: a tier lasts one full window from when it was reached, and points earned 11 months before an
 * upgrade must not take it away a month after. A downgrade starts the lower tier's own window. A job mark per
 * period makes the run happen once. Upgrades never wait: a sale makes its own (`planSale`), and the same pass then
 * raises, once per programme version in force, whoever that version puts above the tier they hold
 * (`applyTierUpgrades`), after the downgrades so that it sees the tiers they settled.
 *
 * Tier floors: nobody falls below a floor still in force. A floor that ended is judged at every run,
 * whatever the window (lifetime too): the customer falls to the tier normal qualification gives them now,
 * the same value a period run would judge, and the floor is cleared. In a rolling window that is for a tier
 * a floor gave (`tier_by_floor`, whatever the floor's level by then: an admin may have lowered it); a tier
 * reached by qualifying keeps its first window, a floor ending meanwhile changes nothing for it
 * (`dueForTierJudging`). Once judged, the tier held is a qualified one (`tier_by_floor` false), with its
 * `tier_since`: a floor's tier kept on the value judged keeps its window from when the floor gave it.
 *
 * Members are judged in slices of `SLICE` (in customer order), each slice its own short transaction: the
 * ledger saves the loyalty rows of the customers it applies, and one transaction holding every tiered
 * member's row would hold the ledger up for as long as the whole tenant takes to judge. The period's mark is
 * written after the last slice; a run that stops half-way is run again whole, which changes nothing for the
 * members judged already (they hold the tier they were judged to, and a downgrade event's id names its
 * period).
 *
 * A calendar year is judged only by a programme that had calendar-year tiers when the year began: a tenant switching
 * to them mid-year (from rolling or lifetime tiers) has members whose tiers were reached on another window, and
 * judging them at once would demote them mid-year, before any qualification period ended. That first run only
 * writes the year's mark; the next local 1 January judges the year the switch happened in.
 *
 * A held tier the version in force no longer has (a version scheduled before anyone held it, reached before it took
 * effect; tiers switched off and back on without it) has no rank: no sale moves it (`planSale`), and no period would
 * ever judge a lifetime one. Every run judges such holders at once, whatever the window, and places them at the level
 * their value reaches now (or a floor in force lifts them to), up or down from the removed level (`removedRanks`). A
 * mark cannot stand for that: a sale uploaded late, dated before the version, is planned on the older one and may put
 * its customer on the removed level at any later time. So each run asks which tiers are held (`heldTiers`, one index
 * entry per distinct tier); only a tier the version lacks makes it look for holders. The event's id names the removed
 * tier and when it was reached, so a run stopped half-way repeats nothing, and a tier reached again is announced again.
 */
export async function applyTierDowngrades(ctx: JobContext, slice = SLICE): Promise<JobResult> {
  const tiers = ctx.programme.config.tiers;
  if (!tiers) return { acted: 0, outbox: [] };
  const judging = judgingOf(tiers, ctx);
  const { period } = judging;
  const unmarked = tiers.window !== "lifetime" && !(await marked(ctx, period));
  const periodDue = unmarked && (await calendarSinceTheYearBegan(ctx, judging));
  const levelIds = new Set(tiers.levels.map((l) => l.id));
  const removed = (await heldTiers(ctx)).filter((t) => !levelIds.has(t));
  const due = { period: periodDue, removed };
  const ranks = removedRanks(ctx);
  const result: JobResult = { acted: 0, outbox: [] };
  for (let after = ""; ; ) {
    const judged = await withTransaction(ctx.db, async (tx) => {
      const ids = await membersToJudge(tx, ctx, due, after, slice);
      return ids.length
        ? {
            last: ids[ids.length - 1]!,
            ...(await judge(tx, ctx, judging, await lockMembers(tx, ctx.tenantId, ids), periodDue, ranks)),
          }
        : null;
    });
    if (!judged) break;
    result.acted += judged.acted;
    result.outbox.push(...judged.outbox);
    after = judged.last;
  }
  if (unmarked) await mark(ctx, period);
  const raised = await applyTierUpgrades(ctx, slice);
  return { acted: result.acted + raised.acted, outbox: [...result.outbox, ...raised.outbox] };
}

async function marked(ctx: JobContext, key: string): Promise<boolean> {
  const rows = await ctx.db.$queryRaw<{ key: string }[]>`
    SELECT key FROM job_marks WHERE job = 'tier-downgrade' AND tenant_id = ${ctx.tenantId} AND key = ${key}`;
  return rows.length > 0;
}

async function mark(ctx: JobContext, key: string): Promise<void> {
  await ctx.db.$executeRaw`
    INSERT INTO job_marks (job, tenant_id, key) VALUES ('tier-downgrade', ${ctx.tenantId}, ${key}) ON CONFLICT DO NOTHING`;
}

/**
 * The distinct tiers the tenant's customers hold, by a loose index scan of `customer_loyalty_tier_idx` (each step
 * the next tier after the one before): as many index probes as tiers held, however many customers hold them.
 */
async function heldTiers(ctx: JobContext): Promise<string[]> {
  const rows = await ctx.db.$queryRaw<{ tier: string }[]>`
    WITH RECURSIVE held AS (
      (SELECT tier FROM customer_loyalty WHERE tenant_id = ${ctx.tenantId} AND tier IS NOT NULL ORDER BY tier LIMIT 1)
      UNION ALL
      SELECT (SELECT l.tier FROM customer_loyalty l WHERE l.tenant_id = ${ctx.tenantId} AND l.tier > held.tier
              ORDER BY l.tier LIMIT 1)
      FROM held WHERE held.tier IS NOT NULL
    )
    SELECT tier FROM held WHERE tier IS NOT NULL`;
  return rows.map((r) => r.tier);
}

/** Whether moving from a removed level to one in force is a move up. */
type RankOf = (removed: string, target: TierLevel) => boolean;

/**
 * Up when the target ranked above the removed level in the latest version in force by now that had both (by
 * threshold; equal thresholds by list order, the later above, as `tierFor` reads them). Their thresholds now say
 * nothing: a level merged into the next one starts where it did (silver 200 into gold: gold now at 200), and its
 * holders moving to gold move up. A target added after the level went is up when it now starts at least where the
 * removed level last did. Versions are read once per run, and only if someone holds such a level.
 */
function removedRanks(ctx: { db: Db; tenantId: string; now: Date }): () => Promise<RankOf> {
  let read: Promise<RankOf> | undefined;
  return () => {
    read ??= ctx.db.programmeVersion
      .findMany({ where: { tenantId: ctx.tenantId, effectiveFrom: { lte: ctx.now } }, orderBy: { version: "desc" } })
      .then((rows) => {
        const versions = rows.map((row) => ProgrammeConfig.safeParse(row.config).data?.tiers?.levels ?? []);
        return (removed, target) => {
          const lastHad = versions.find((levels) => levels.some((l) => l.id === removed));
          const was = lastHad?.find((l) => l.id === removed);
          if (!was) return false;
          for (const levels of versions) {
            const r = levels.findIndex((l) => l.id === removed);
            const t = levels.findIndex((l) => l.id === target.id);
            if (r < 0 || t < 0) continue;
            const [rl, tl] = [levels[r]!, levels[t]!];
            return tl.threshold > rl.threshold || (tl.threshold === rl.threshold && t > r);
          }
          return target.threshold >= was.threshold;
        };
      });
    return read;
  };
}

/** The period a run judges and the window its values are summed over, in the tenant's time zone. */
function judgingOf(tiers: Judging["tiers"], ctx: JobContext): Judging {
  const tz = ctx.programme.timezone;
  const nowIso = ctx.now.toISOString();
  const period = tiers.window === "calendar_year" ? localDate(nowIso, tz).slice(0, 4) : localDate(nowIso, tz);
  // This period's start = the end of the one being judged; lifetime values count from the beginning.
  const windowEnd = tierWindowStart(tiers.window, nowIso, tz) ?? new Date(0);
  const windowStart =
    tiers.window === "calendar_year"
      ? tierWindowStart("calendar_year", new Date(windowEnd.getTime() - 1).toISOString(), tz)!
      : windowEnd;
  // Nothing after the window is cut off for the current period: a till whose clock runs ahead (a sale
  // stamped a little in the future) must not cost its customer the tier.
  const judgedUntil = tiers.window === "calendar_year" ? windowEnd : undefined;
  return { tiers, period, windowStart, windowEnd, judgedUntil };
}

/**
 * Whether the programme in force at this year's local 1 January (the end of the year being judged) already had
 * calendar-year tiers. Rolling windows are judged per member (`dueForTierJudging`), so only calendar years ask.
 */
async function calendarSinceTheYearBegan(ctx: JobContext, j: Judging): Promise<boolean> {
  if (j.tiers.window !== "calendar_year") return true;
  const atYearStart = await programmeAt(ctx.db, ctx.tenantId, j.windowEnd);
  return atYearStart.config.tiers?.window === "calendar_year";
}

interface Judging {
  tiers: NonNullable<ProgrammeConfig["tiers"]>;
  period: string;
  windowStart: Date;
  windowEnd: Date;
  judgedUntil: Date | undefined;
}

/** One slice of members, locked: their qualifying values, the downgrades, the floors that ended, removed levels. */
async function judge(
  tx: DbTx,
  ctx: JobContext,
  j: Judging,
  members: Member[],
  periodDue: boolean,
  ranks: () => Promise<RankOf>,
): Promise<JobResult> {
  const { tiers } = j;
  const nowIso = ctx.now.toISOString();
  const ids = members.map((m) => m.customer_id);
  const values = new Map(
    (await qualifyingValues(tx, ctx.tenantId, ids, tiers.basis, j.windowStart, j.judgedUntil)).map((v) => [
      v.customer_id,
      Number(v.value),
    ]),
  );
  if (tiers.window === "calendar_year") {
    // Whoever already qualifies in the new year keeps the tier, even if this runs weeks into it.
    for (const v of await qualifyingValues(tx, ctx.tenantId, ids, tiers.basis, j.windowEnd)) {
      values.set(v.customer_id, Math.max(values.get(v.customer_id) ?? 0, Number(v.value)));
    }
  }
  const events: LoyaltyEvent[] = [];
  const changes: { customerId: string; tier: string }[] = [];
  const floorsEnded: string[] = [];
  for (const m of members) {
    const floor =
      m.tier_floor !== null && m.tier_floor_until !== null ? { tier: m.tier_floor, until: m.tier_floor_until } : null;
    // A floor's tier with no floor left (a merge may leave one) is settled by this judging too.
    if (floor !== null ? floor.until <= ctx.now : m.tier_by_floor) floorsEnded.push(m.customer_id);
    if (m.tier === null) continue;
    const member = { tier: m.tier, tierSince: m.tier_since, byFloor: m.tier_by_floor, floor };
    const current = tiers.levels.find((l) => l.id === m.tier);
    if (current && !dueForTierJudging(tiers, member, ctx.now, ctx.programme.timezone)) continue;
    const value = values.get(m.customer_id) ?? 0;
    const targetId = effectiveTier(tiers, tierFor(tiers, value).id, floor, ctx.now)!;
    const target = tiers.levels.find((l) => l.id === targetId)!;
    if (current && target.threshold >= current.threshold) continue;
    const up = current ? false : (await ranks())(m.tier, target);
    changes.push({ customerId: m.customer_id, tier: target.id });
    events.push({
      type: "tier.changed",
      id: !current
        ? `tier:${m.customer_id}:level-removed:${m.tier}:${(m.tier_since ?? ctx.now).toISOString()}`
        : periodDue
          ? `tier:${m.customer_id}:down:${j.period}`
          : `tier:${m.customer_id}:floor-ended:${floor!.until.toISOString()}`,
      tenantId: ctx.tenantId,
      customerId: m.customer_id,
      occurredAt: nowIso,
      from: m.tier,
      to: target.id,
      direction: up ? "up" : "down",
      qualifyingValue: value,
    });
  }
  if (changes.length) {
    await tx.$executeRaw`
      UPDATE customer_loyalty l SET tier = c.tier, tier_since = ${ctx.now}, tier_by_floor = false, updated_at = now()
      FROM unnest(${changes.map((c) => c.customerId)}::text[], ${changes.map((c) => c.tier)}::text[]) AS c(customer_id, tier)
      WHERE l.customer_id = c.customer_id`;
  }
  if (floorsEnded.length) {
    await tx.$executeRaw`
      UPDATE customer_loyalty SET tier_floor = NULL, tier_floor_until = NULL, tier_by_floor = false, updated_at = now()
      WHERE customer_id = ANY(${floorsEnded}::text[])`;
  }
  // An erased customer's tier still moves with the balance erasure keeps; it is not announced.
  const items = await pseudonymiseErasedCustomers(tx, events.map(outboxItem));
  await writeOutbox(tx, items);
  return { acted: changes.length, outbox: items };
}

/**
 * The next slice after customer `after`: everyone with a tier when the period ends (rolling: whose tier was
 * reached a window ago, whose floor ended, or whose floor's tier has no floor left; `dueForTierJudging` decides
 * under the lock); otherwise only those whose floor ended (a partial index finds them), and the holders of the
 * removed levels held (`customer_loyalty_tier_idx` finds them). Not locked yet: see `lockMembers`.
 */
async function membersToJudge(
  tx: DbTx,
  ctx: JobContext,
  due: { period: boolean; removed: string[] },
  after: string,
  slice: number,
): Promise<string[]> {
  const tiers = ctx.programme.config.tiers!;
  const since = latestJudgedTierSince(tiers.window, ctx.now, ctx.programme.timezone);
  const levels = sqlArray(tiers.levels.map((l) => l.id));
  const rows = due.period
    ? await tx.$queryRaw<{ customer_id: string }[]>`
        SELECT customer_id FROM customer_loyalty
        WHERE tenant_id = ${ctx.tenantId} AND (tier IS NOT NULL OR tier_floor IS NOT NULL) AND customer_id > ${after}
          AND (${since}::timestamptz IS NULL OR tier_since IS NULL OR tier_since <= ${since}::timestamptz
            OR tier_floor_until <= ${ctx.now} OR (tier_by_floor AND tier_floor_until IS NULL)
            OR tier <> ALL(${levels}::text[]))
        ORDER BY customer_id LIMIT ${slice}`
    : // Each arm takes its own first slice (a bare UNION read and sorted every remaining holder for each slice).
      await tx.$queryRaw<{ customer_id: string }[]>`
        (SELECT customer_id FROM customer_loyalty
        WHERE tenant_id = ${ctx.tenantId} AND tier_floor_until <= ${ctx.now} AND customer_id > ${after}
        ORDER BY customer_id LIMIT ${slice})
        UNION
        (SELECT customer_id FROM customer_loyalty
        WHERE tenant_id = ${ctx.tenantId} AND tier = ANY(${sqlArray(due.removed)}::text[]) AND customer_id > ${after}
        ORDER BY customer_id LIMIT ${slice})
        ORDER BY customer_id LIMIT ${slice}`;
  return rows.map((r) => r.customer_id);
}
