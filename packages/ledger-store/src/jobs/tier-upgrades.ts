import { defaultOccurredAtWindow, type LoyaltyEvent, type TierProgramme } from "@regulars/contracts";
import { type DbTx, withTransaction } from "@regulars/db";
import { type NewMovement, tierRewardKey } from "@regulars/ledger";
import { effectiveTier, expiresAt, type SaleUpgrade, tierFor, tierOrEntry, tierWindowStart } from "@regulars/rules";
import { postAndAnnounce } from "../accounts/announce.ts";
import { qualifyingValues } from "../accounts/qualifying.ts";
import { mergedAwayAmong } from "../customers/resolve.ts";
import { type JobContext, type JobResult, SLICE } from "./context.ts";
import { lockMembers, type Member } from "./tier-members.ts";
import { judgedSinceLastPass, lastPassOf, lateSaleReachMs, type VersionTiers } from "./tier-qualification.ts";

const JOB = "tier-upgrade";

/** A merge committed while the last pass ran may carry its request's earlier time, from another host's clock. */
const MERGE_OVERLAP_MS = 3_600_000;

/**
 * Upgrades are immediate (SPEC), and a sale makes them (`planSale`); but a programme version that lowers a threshold
 * (or changes the basis or the window) puts members above the tier they hold without any sale, and checkout, earning
 * and tier-limited coupons go on applying the lower tier until their next purchase. So once per version in force,
 * the tier job raises every member whose value in the current window (what `customers.tier` shows and the next sale
 * would be judged on) reaches a level above the one held (a floor in force lifts it first, as `planSale` does), as a
 * sale's upgrade is made: tier.changed (up) and the reached level's reward, once (none for the entry level). A later
 * sale finds the tier held and pays nothing again. Versions come into force by time, with no event of their own: the
 * scheduled pass is the hook, and the version number its mark, so the pass after a version takes effect sweeps every
 * member once. Between versions a value grows by sales, which upgrade on their own, and by merges, which do not.
 *
 * The event and the reward name the version (`tierRewardKey` with `programme:<version>`), so a pass stopped half-way
 * and run again pays no one twice. The upgrade is recorded as a sale records its own (`job_upgrades`, read by
 * `loadUpgrades` under the id `programme:<version>`): it rests on the value of the sales behind it, so a refund that
 * leaves that value below it takes it back with its reward and walks on to the sales' own upgrades, and the sales
 * left give the same tier and rewards whether the refund came before the pass or after it. A held level the version
 * lacks is left to the downgrade part of the same pass, which places it before this runs. Erased customers are
 * skipped: no reward for an account nobody will spend from; so are customers merged away, whose loyalty row and
 * movements stay under the old id while the person's value counts at the survivor (`qualifyingValues`): raised,
 * they were paid the reward a second time.
 *
 * Most versions change no tier (an earning rule's text, a reward, a cap), and a scan of every member for each of them
 * grew with the tenant while raising no one. A version that qualifies members exactly as the last one a pass handled
 * (and every one in force since: `lastPassOf`) judges only whom something raised no tier for since that pass
 * (`judgedSinceLastPass`): the survivors of merges, or everyone while a sale judged on older tiers can still arrive.
 * The mark is dated by the pass's clock when it began, which is what the next version's pass counts merges from.
 * How long such a sale can still arrive follows the deployment's OCCURRED_AT_MAX_AGE_DAYS (`ctx.occurredAtMaxAgeDays`).
 */
export async function applyTierUpgrades(ctx: JobContext, slice = SLICE): Promise<JobResult> {
  const tiers = ctx.programme.config.tiers;
  if (!tiers) return { acted: 0, outbox: [] };
  const key = `v${ctx.programme.version}`;
  if (await marked(ctx, key)) return { acted: 0, outbox: [] };
  const scope = await scopeOfPass(ctx, tiers, ctx.occurredAtMaxAgeDays ?? defaultOccurredAtWindow.maxAgeDays);
  const top = [...tiers.levels].sort((a, b) => a.threshold - b.threshold).at(-1)!;
  const result =
    "everyone" in scope
      ? await raiseSlices(ctx, (tx, after) => membersBelowTop(tx, ctx, top.id, after, slice))
      : await raiseSlices(ctx, (tx, after) => survivorsOfMerges(tx, ctx, scope.survivorsOfMergesSince, after, slice));
  await ctx.db.$executeRaw`
    INSERT INTO job_marks (job, tenant_id, key, done_at) VALUES (${JOB}, ${ctx.tenantId}, ${key}, ${ctx.now})
    ON CONFLICT DO NOTHING`;
  return result;
}

async function marked(ctx: JobContext, key: string): Promise<boolean> {
  const rows = await ctx.db.$queryRaw<{ key: string }[]>`
    SELECT key FROM job_marks WHERE job = ${JOB} AND tenant_id = ${ctx.tenantId} AND key = ${key}`;
  return rows.length > 0;
}

/**
 * Read once per version, when its pass is due: the versions passes ran for to the end (with when they ran), and every
 * version's tiers; whom this version's pass judges.
 */
async function scopeOfPass(ctx: JobContext, tiers: TierProgramme, occurredAtMaxAgeDays: number) {
  const everyone = { everyone: true } as const;
  const marks = await ctx.db.$queryRaw<{ key: string; done_at: Date }[]>`
    SELECT key, done_at FROM job_marks WHERE job = ${JOB} AND tenant_id = ${ctx.tenantId}`;
  const passes = new Map(
    marks.flatMap((m) => (/^v\d+$/.test(m.key) ? [[Number(m.key.slice(1)), m.done_at] as const] : [])),
  );
  if (!passes.size) return everyone;
  const versions = await ctx.db.$queryRaw<VersionTiers[]>`
    SELECT version, effective_from AS "effectiveFrom", config->'tiers' AS tiers
    FROM programme_versions WHERE tenant_id = ${ctx.tenantId}`;
  const last = lastPassOf(versions, new Set(passes.keys()), { version: ctx.programme.version, tiers });
  if (!last) return everyone;
  return judgedSinceLastPass(
    { passAt: passes.get(last.version)!, sameSince: last.sameSince },
    { lateSaleReachMs: lateSaleReachMs(occurredAtMaxAgeDays), overlapMs: MERGE_OVERLAP_MS },
  );
}

/** The members `next` reads after a customer id, slice by slice, raised where their value reaches above their tier. */
async function raiseSlices(ctx: JobContext, next: (tx: DbTx, after: string) => Promise<string[]>): Promise<JobResult> {
  const result: JobResult = { acted: 0, outbox: [] };
  for (let after = ""; ; ) {
    const raised = await withTransaction(ctx.db, async (tx) => {
      const ids = await next(tx, after);
      return ids.length
        ? { last: ids[ids.length - 1]!, ...(await raise(tx, ctx, await lockMembers(tx, ctx.tenantId, ids))) }
        : null;
    });
    if (!raised) break;
    result.acted += raised.acted;
    result.outbox.push(...raised.outbox);
    after = raised.last;
  }
  return result;
}

/** The next slice after `after` of members not holding the top level (a floor may still lift them: judged locked). */
async function membersBelowTop(tx: DbTx, ctx: JobContext, top: string, after: string, slice: number) {
  const rows = await tx.$queryRaw<{ customer_id: string }[]>`
    SELECT l.customer_id FROM customer_loyalty l
    WHERE l.tenant_id = ${ctx.tenantId} AND l.customer_id > ${after} AND l.tier IS DISTINCT FROM ${top}
      AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = l.customer_id AND c.erased_at IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM customer_merges m WHERE m.tenant_id = l.tenant_id AND m.merged_id = l.customer_id)
    ORDER BY l.customer_id LIMIT ${slice}`;
  return rows.map((r) => r.customer_id);
}

/**
 * The next slice of the survivors of merges made since `since` (a merge re-points older ones at its survivor, and is
 * dated itself), as `membersBelowTop` reads members: neither erased nor merged away since.
 */
async function survivorsOfMerges(tx: DbTx, ctx: JobContext, since: Date, after: string, slice: number) {
  const rows = await tx.$queryRaw<{ customer_id: string }[]>`
    SELECT DISTINCT m.into_id AS customer_id FROM customer_merges m
    WHERE m.tenant_id = ${ctx.tenantId} AND m.merged_at >= ${since} AND m.into_id > ${after}
      AND EXISTS (SELECT 1 FROM customer_loyalty l WHERE l.customer_id = m.into_id)
      AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = m.into_id AND c.erased_at IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM customer_merges a WHERE a.tenant_id = m.tenant_id AND a.merged_id = m.into_id)
    ORDER BY m.into_id LIMIT ${slice}`;
  return rows.map((r) => r.customer_id);
}

/** One locked slice: the members whose current value reaches above the tier held, raised and announced. */
async function raise(tx: DbTx, ctx: JobContext, locked: Member[]): Promise<JobResult> {
  const { config, timezone, version } = ctx.programme;
  const tiers = config.tiers!;
  const nowIso = ctx.now.toISOString();
  const since = tierWindowStart(tiers.window, nowIso, timezone) ?? new Date(0);
  // Asked again under the locks: a merge that committed after the slice was read has moved the person on.
  const lockedIds = locked.map((m) => m.customer_id);
  const mergedAway = new Set(await mergedAwayAmong(tx, lockedIds));
  const members = locked.filter((m) => !mergedAway.has(m.customer_id));
  const ids = members.map((m) => m.customer_id);
  const values = new Map(
    (await qualifyingValues(tx, ctx.tenantId, ids, tiers.basis, since)).map((v) => [v.customer_id, Number(v.value)]),
  );
  const events: LoyaltyEvent[] = [];
  const movements: NewMovement[] = [];
  const changes: { customerId: string; tier: string; upgrade: SaleUpgrade["upgrade"] }[] = [];
  const lot = { availableAt: ctx.now, expiresAt: expiresAt(config.expiry, nowIso, timezone) };
  for (const m of members) {
    const floor =
      m.tier_floor !== null && m.tier_floor_until !== null ? { tier: m.tier_floor, until: m.tier_floor_until } : null;
    const held = effectiveTier(tiers, m.tier, floor, ctx.now);
    const current = tiers.levels.find((l) => l.id === tierOrEntry(tiers, held));
    if (!current) continue;
    const value = values.get(m.customer_id) ?? 0;
    const reached = tierFor(tiers, value);
    if (reached.threshold <= current.threshold) continue;
    const ref = `programme:${version}`;
    const reward = reached.benefits.rewardPoints ?? 0;
    // From the tier held, a floor's included, and that tier's own since, as `planSale` records a sale's upgrade.
    const upgrade = {
      from: held,
      fromSince: m.tier_since?.toISOString() ?? null,
      fromByFloor: m.tier_by_floor,
      to: reached.id,
      rewardPoints: reward,
      rewardKey: reward > 0 ? tierRewardKey(m.customer_id, reached.id, ref) : null,
    };
    changes.push({ customerId: m.customer_id, tier: reached.id, upgrade });
    events.push({
      type: "tier.changed",
      id: `tier:${m.customer_id}:${ref}:${reached.id}`,
      tenantId: ctx.tenantId,
      customerId: m.customer_id,
      occurredAt: nowIso,
      from: held,
      to: reached.id,
      direction: "up",
      qualifyingValue: value,
    });
    if (upgrade.rewardKey)
      movements.push({
        tenantId: ctx.tenantId,
        customerId: m.customer_id,
        kind: "bonus",
        unit: "points",
        amount: reward,
        idempotencyKey: upgrade.rewardKey,
        reason: `reached tier ${reached.name}`,
        occurredAt: ctx.now,
        lot,
      });
  }
  if (!changes.length) return { acted: 0, outbox: [] };
  const records = changes.map((c) => JSON.stringify({ id: `programme:${version}`, at: nowIso, tier: c.upgrade }));
  await tx.$executeRaw`
    UPDATE customer_loyalty l SET tier = c.tier, tier_since = ${ctx.now}, tier_by_floor = false, updated_at = now(),
      job_upgrades = l.job_upgrades || jsonb_build_array(c.upgrade::jsonb)
    FROM unnest(${changes.map((c) => c.customerId)}::text[], ${changes.map((c) => c.tier)}::text[], ${records}::text[])
      AS c(customer_id, tier, upgrade)
    WHERE l.customer_id = c.customer_id`;
  const { outbox } = await postAndAnnounce(tx, movements, { milestonesOf: () => config.milestones, events });
  return { acted: changes.length, outbox };
}
