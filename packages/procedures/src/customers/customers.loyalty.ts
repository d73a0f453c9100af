import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import {
  type AdjustInput,
  adjustBalance,
  customerStanding,
  qualifyingValueNow,
  type Standing,
  setTierFloor,
} from "@regulars/ledger-store";
import { programmeInForce } from "@regulars/programme";
import { effectiveTier, floorActive, type TierFloor, tierOrEntry, tierProgress } from "@regulars/rules";
import { survivorIdOf } from "./customers.survivor.ts";
import type { SetTierFloorInput } from "./customers.types.ts";

async function programmeNow(db: Db, tenantId: string, now: Date) {
  const programme = await programmeInForce(db, tenantId, now);
  if (!programme) throw new DomainError("not_found", "no such tenant");
  return programme;
}

async function requireCustomer(db: Db, tenantId: string, customerId: string) {
  const customer = await db.customer.findFirst({ where: { id: customerId, tenantId }, select: { id: true } });
  if (!customer) throw new DomainError("not_found", "no customer matches");
  return customer.id;
}

const floorOf = (loyalty: Standing | null): TierFloor | null =>
  loyalty?.tierFloor && loyalty.tierFloorUntil ? { tier: loyalty.tierFloor, until: loyalty.tierFloorUntil } : null;

/** The floor as an admin reads it, also once it ended and until the downgrade job clears it. */
export const floorView = (loyalty: Standing | null, now: Date) => {
  const floor = floorOf(loyalty);
  return floor && { tier: floor.tier, until: new Date(floor.until).toISOString(), active: floorActive(floor, now) };
};

/**
 * The tier a customer counts as holding now: the stored one, lifted by a floor in force. setTierFloor
 * already raised the stored tier, so the programme (which orders the tiers) is read only when they differ.
 */
export async function tierShown(db: Db, tenantId: string, loyalty: Standing | null, now: Date): Promise<string | null> {
  const floor = floorOf(loyalty);
  const held = loyalty?.tier ?? null;
  const floorLifts = floorActive(floor, now) && floor.tier !== held;
  if (!floorLifts && held !== null) return held;
  const tiers = (await programmeInForce(db, tenantId, now))?.config.tiers;
  // A member not placed in a tier yet (never bought) holds the entry level, as earning and checkout treat them.
  const placed = tierOrEntry(tiers, held);
  return floorLifts ? effectiveTier(tiers, placed, floor, now) : placed;
}

/** The customer's tier, what it rests on, and the gap to the next one ("Only 20 points to gold"). */
export async function customerTier(db: Db, tenantId: string, customerId: string, now = new Date()) {
  const id = await requireCustomer(db, tenantId, await survivorIdOf(db, tenantId, customerId));
  const { timezone, config } = await programmeNow(db, tenantId, now);
  const tiers = config.tiers;
  const loyalty = await customerStanding(db, id);
  if (!tiers) {
    return {
      tiersEnabled: false as const,
      tier: null,
      since: null,
      basis: null,
      window: null,
      qualifyingValue: 0,
      next: null,
      benefits: null,
      floor: null,
    };
  }
  const value = await qualifyingValueNow(db, tenantId, id, tiers, timezone, now);
  const progress = tierProgress(tiers, value, effectiveTier(tiers, loyalty?.tier ?? null, floorOf(loyalty), now));
  return {
    tiersEnabled: true as const,
    tier: { id: progress.tier.id, name: progress.tier.name },
    since: loyalty?.tierSince?.toISOString() ?? null,
    basis: tiers.basis,
    window: tiers.window,
    qualifyingValue: value,
    next: progress.next,
    benefits: progress.tier.benefits,
    floor: floorView(loyalty, now),
  };
}

/**
 * An admin correction of points or wallet, with the programme in force now (for the lot's expiry, milestones).
 * By a merged-away id it reaches the survivor, the account the customer spends from (and the audit names it):
 * `adjustBalance` resolves it under the customer's lock, so also when a merge commits while it waits.
 */
export async function adjustCustomer(db: Db, tenantId: string, actor: string, input: AdjustInput, now = new Date()) {
  const programme = await programmeNow(db, tenantId, now);
  return adjustBalance(db, tenantId, actor, input, programme, now);
}

/**
 * An admin sets a customer's tier floor (the survivor's, by a merged-away id: `setTierFloor` resolves it under the
 * customer's lock), against the programme in force now.
 */
export async function setCustomerTierFloor(
  db: Db,
  tenantId: string,
  actor: string,
  input: SetTierFloorInput,
  now = new Date(),
) {
  const { customerId, tier, reason } = input;
  const programme = await programmeNow(db, tenantId, now);
  return setTierFloor(db, tenantId, actor, { customerId, tier, reason, until: new Date(input.until) }, programme, now);
}
