import { recordAudit } from "@regulars/audit";
import type { LoyaltyEvent } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import type { ProgrammeAt } from "@regulars/ledger";
import { effectiveTier } from "@regulars/rules";
import { reasonToStore } from "../accounts/adjust.ts";
import { pseudonymiseErasedCustomers } from "../accounts/erased-events.ts";
import { qualifyingValueNow } from "../accounts/qualifying.ts";
import { outboxItem, writeOutbox } from "../outbox.ts";
import { floorOf } from "./loyalty-state.ts";
import { lockSurvivor } from "./survivor-lock.ts";

/** A customer's tier (and since when), tier floor and last activity, as the ledger keeps them. */
export interface Standing {
  tier: string | null;
  tierSince: Date | null;
  tierFloor: string | null;
  tierFloorUntil: Date | null;
  lastActivityAt: Date | null;
}

/** The customer's standing; null before the ledger has kept any. */
export async function customerStanding(db: Db, customerId: string): Promise<Standing | null> {
  return db.customerLoyalty.findUnique({
    where: { customerId },
    select: { tier: true, tierSince: true, tierFloor: true, tierFloorUntil: true, lastActivityAt: true },
  });
}

export interface TierFloorInput {
  customerId: string;
  tier: string;
  until: Date;
  reason: string;
}

/**
 * An admin sets the tier a customer does not fall below until `until` (a status match, a goodwill gesture).
 * It replaces any earlier floor. A floor above the tier held raises the tier at once (tier.changed, up);
 * it pays no tier reward, which is for qualifying, and the tier is recorded as the floor's (`tier_by_floor`:
 * judged when a floor no longer holds it up, whatever that floor's level; a floor that raises nothing leaves
 * the tier's origin as it was). Nothing is lowered here, also not by a lower or shorter
 * floor: downgrades belong to the tier-downgrade job, which judges a floor that ended at its next run.
 * Refuses a tier the programme in force does not have and an `until` that is not ahead of `now`.
 */
export async function setTierFloor(
  db: Db,
  tenantId: string,
  actor: string,
  input: TierFloorInput,
  programme: ProgrammeAt,
  now = new Date(),
): Promise<{ tier: string; floor: { tier: string; until: string }; raised: boolean }> {
  const tiers = programme.config.tiers;
  if (!tiers)
    throw new DomainError("unprocessable", "the programme has no tiers", [
      { path: "tier", message: "the programme has no tiers" },
    ]);
  const level = tiers.levels.find((l) => l.id === input.tier);
  if (!level) {
    const known = tiers.levels.map((l) => l.id).join(", ");
    throw new DomainError("unprocessable", `the programme has no tier "${input.tier}"`, [
      { path: "tier", message: `must be one of: ${known}` },
    ]);
  }
  if (input.until.getTime() <= now.getTime())
    throw new DomainError("unprocessable", "a tier floor must end in the future", [
      { path: "until", message: "must lie in the future" },
    ]);
  const floor = { tier: level.id, until: input.until };

  return withTransaction(db, async (tx) => {
    // The ledger worker holds this lock while it works on the customer's state, so it never saves a tier
    // it read before this change; a merge holds it too, so the floor lands on the survivor (`lockSurvivor`).
    const customer = await lockSurvivor(tx, tenantId, input.customerId);
    if (!customer) throw new DomainError("not_found", "no customer matches");
    const id = customer.id;
    const [row] = await tx.$queryRaw<
      { tier: string | null; tier_floor: string | null; tier_floor_until: Date | null }[]
    >`
      SELECT tier, tier_floor, tier_floor_until FROM customer_loyalty WHERE customer_id = ${id} FOR UPDATE`;
    const before = effectiveTier(tiers, row?.tier ?? null, row ? floorOf(row) : null, now);
    const after = effectiveTier(tiers, before, floor, now)!;
    const raised = after !== before;
    await tx.$executeRaw`
      INSERT INTO customer_loyalty (customer_id, tenant_id, tier, tier_since, tier_by_floor, tier_floor, tier_floor_until)
      VALUES (${id}, ${tenantId}, ${after}, ${now}, ${raised}, ${floor.tier}, ${floor.until})
      ON CONFLICT (customer_id) DO UPDATE SET
        tier = CASE WHEN ${raised} THEN excluded.tier ELSE customer_loyalty.tier END,
        tier_since = CASE WHEN ${raised} THEN excluded.tier_since ELSE customer_loyalty.tier_since END,
        tier_by_floor = CASE WHEN ${raised} THEN true ELSE customer_loyalty.tier_by_floor END,
        tier_floor = excluded.tier_floor, tier_floor_until = excluded.tier_floor_until, updated_at = now()`;
    const auditId = await recordAudit(tx, {
      tenantId,
      actor,
      action: "customers.setTierFloor",
      target: id,
      details: {
        tier: floor.tier,
        until: floor.until.toISOString(),
        // An erased customer's floor still applies; what staff typed about them is not kept (see `reasonToStore`).
        reason: reasonToStore(customer, input.reason),
        previousFloor: row?.tier_floor ? { tier: row.tier_floor, until: row.tier_floor_until?.toISOString() } : null,
        tierBefore: before,
        tierAfter: after,
      },
    });
    if (raised) {
      const event: LoyaltyEvent = {
        type: "tier.changed",
        id: `tier:${id}:floor:${auditId}`,
        tenantId,
        customerId: id,
        occurredAt: now.toISOString(),
        from: before,
        to: after,
        direction: "up",
        qualifyingValue: await qualifyingValueNow(tx, tenantId, id, tiers, programme.timezone, now),
      };
      // Published by the outbox relay, like every event written outside a worker's batch; none about an erased customer.
      await writeOutbox(tx, await pseudonymiseErasedCustomers(tx, [outboxItem(event)]));
    }
    return { tier: after, floor: { tier: floor.tier, until: floor.until.toISOString() }, raised };
  });
}
