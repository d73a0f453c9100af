import type { LoyaltyEvent, ProgrammeConfig } from "@regulars/contracts";
import { type DbTx, exactNumber, Prisma, sqlArray } from "@regulars/db";
import { programmeInForce } from "@regulars/programme";
import { tierWindowStart } from "@regulars/rules";
import { pseudonymiseErasedCustomers } from "../accounts/erased-events.ts";
import { qualifyingValues } from "../accounts/qualifying.ts";
import { outboxItem, writeOutbox } from "../outbox.ts";

type Tiers = NonNullable<ProgrammeConfig["tiers"]>;

/** The merged customer's floor outlasts the survivor's (or the survivor has none). */
const laterFloor = Prisma.sql`excluded.tier_floor IS NOT NULL AND (customer_loyalty.tier_floor IS NULL
  OR excluded.tier_floor_until > customer_loyalty.tier_floor_until)`;

/** A level's place in `order` (lowest first); a level the programme does not have, or none, ranks lowest. */
const rank = (order: readonly string[], level: Prisma.Sql) =>
  Prisma.sql`coalesce(array_position(${sqlArray([...order])}::text[], ${level}), 0)`;

/** The tier ids of a programme, lowest first by threshold (equal thresholds keep list order). */
const tierOrderOf = (tiers: Tiers | undefined): string[] =>
  [...(tiers?.levels ?? [])].sort((a, b) => a.threshold - b.threshold).map((l) => l.id);

/**
 * A merge: `intoId` takes over `fromId`'s loyalty state, or combines it with its own: the later last activity
 * (the moved points must not expire on the survivor's older clock) and the higher tier by the order of the programme
 * in force at `at` (an unknown one ranks lowest; for two of equal rank the survivor keeps its own). A person who
 * reached gold at the till still holds it in the app: kept lower, the next sale would announce the upgrade, and pay
 * its reward, again. The tier kept keeps its own `tier_since` (a rolling window's downgrade pass judges a tier a
 * window after it); when both held the same tier, the later one (an unknown one counts as earliest): both customers'
 * qualification periods have to end before the merged account is judged. Whether a floor gave the tier
 * (`tier_by_floor`) goes with the tier kept; for the same tier, it is a floor's only if both were (one qualified for
 * it). Floors: of two in force at `at`, the higher (of equal ones, the one that ends later); else the one that ends
 * later. Stamp progress moves by `adoptStampProgress`.
 *
 * A tier the survivor takes over is announced, in the caller's transaction, as the survivor's own tier.changed (up,
 * `cause: "merge"`), for webhooks, segments' customer snapshots and the dashboard: the dashboard puts a survivor in
 * its own latest tier change, which would otherwise be the lower tier it held before. No reward comes with it, nor a
 * "tier reached" campaign: the person reached the tier under the merged customer.
 */
export async function adoptLoyaltyState(
  tx: DbTx,
  tenantId: string,
  fromId: string,
  intoId: string,
  at = new Date(),
): Promise<void> {
  const programme = await programmeInForce(tx, tenantId, at);
  const order = tierOrderOf(programme?.config.tiers);
  const [before] = await tx.$queryRaw<{ tier: string | null }[]>`
    SELECT tier FROM customer_loyalty WHERE customer_id = ${intoId} AND tenant_id = ${tenantId}`;
  const takeMergedTier = Prisma.sql`(customer_loyalty.tier IS NULL
    OR ${rank(order, Prisma.sql`excluded.tier`)} > ${rank(order, Prisma.sql`customer_loyalty.tier`)})`;
  const floorsDiffer = Prisma.sql`excluded.tier_floor_until > ${at} AND customer_loyalty.tier_floor_until > ${at}
    AND ${rank(order, Prisma.sql`excluded.tier_floor`)} <> ${rank(order, Prisma.sql`customer_loyalty.tier_floor`)}`;
  const takeMergedFloor = Prisma.sql`CASE WHEN ${floorsDiffer}
    THEN ${rank(order, Prisma.sql`excluded.tier_floor`)} > ${rank(order, Prisma.sql`customer_loyalty.tier_floor`)}
    ELSE ${laterFloor} END`;
  const [after] = await tx.$queryRaw<{ tier: string | null }[]>`
    INSERT INTO customer_loyalty (customer_id, tenant_id, tier, tier_since, tier_by_floor, last_activity_at, tier_floor,
      tier_floor_until, job_upgrades)
    SELECT ${intoId}, tenant_id, tier, tier_since, tier_by_floor, last_activity_at, tier_floor, tier_floor_until,
      job_upgrades
    FROM customer_loyalty WHERE customer_id = ${fromId} AND tenant_id = ${tenantId}
    ON CONFLICT (customer_id) DO UPDATE SET
      last_activity_at = GREATEST(customer_loyalty.last_activity_at, excluded.last_activity_at),
      -- The tier pass's upgrades of both, so a refund walks back through whichever tier the survivor keeps.
      job_upgrades = customer_loyalty.job_upgrades || excluded.job_upgrades,
      tier = CASE WHEN ${takeMergedTier} THEN excluded.tier ELSE customer_loyalty.tier END,
      tier_since = CASE WHEN ${takeMergedTier} THEN excluded.tier_since
        WHEN customer_loyalty.tier = excluded.tier THEN GREATEST(customer_loyalty.tier_since, excluded.tier_since)
        ELSE customer_loyalty.tier_since END,
      tier_by_floor = CASE WHEN ${takeMergedTier} THEN excluded.tier_by_floor
        WHEN customer_loyalty.tier = excluded.tier THEN customer_loyalty.tier_by_floor AND excluded.tier_by_floor
        ELSE customer_loyalty.tier_by_floor END,
      tier_floor = CASE WHEN ${takeMergedFloor} THEN excluded.tier_floor ELSE customer_loyalty.tier_floor END,
      tier_floor_until = CASE WHEN ${takeMergedFloor} THEN excluded.tier_floor_until
        ELSE customer_loyalty.tier_floor_until END,
      updated_at = now()
    RETURNING tier`;
  const tierBefore = before?.tier ?? null;
  const tierAfter = after?.tier ?? null;
  if (tierAfter === null || tierAfter === tierBefore) return;
  const tiers = programme?.config.tiers;
  const value =
    programme && tiers ? await mergedQualifyingValue(tx, tenantId, [fromId, intoId], tiers, programme.timezone, at) : 0;
  const event: LoyaltyEvent = {
    type: "tier.changed",
    // A customer is merged away once: the merged id names the change.
    id: `tier:${intoId}:merge:${fromId}`,
    tenantId,
    customerId: intoId,
    occurredAt: at.toISOString(),
    from: tierBefore,
    to: tierAfter,
    direction: "up",
    qualifyingValue: value,
    cause: "merge",
  };
  await writeOutbox(tx, await pseudonymiseErasedCustomers(tx, [outboxItem(event)]));
}

/**
 * The person's value once merged, read before the merge is recorded (`customer_merges`, which the value follows):
 * the survivor's (the merged customer's sales already moved to it) and the merged customer's (its movements stay
 * under its id), each with everyone merged into them before.
 */
async function mergedQualifyingValue(
  tx: DbTx,
  tenantId: string,
  ids: string[],
  tiers: Tiers,
  timezone: string,
  at: Date,
): Promise<number> {
  const since = tierWindowStart(tiers.window, at.toISOString(), timezone) ?? new Date(0);
  const values = await qualifyingValues(tx, tenantId, ids, tiers.basis, since);
  return values.reduce((sum, v) => sum + exactNumber(v.value), 0);
}
