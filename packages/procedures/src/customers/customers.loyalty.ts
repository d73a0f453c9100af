import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { type AdjustInput, adjustBalance, customerStanding, qualifyingValueNow } from "@regulars/ledger-store";
import { programmeInForce } from "@regulars/programme";
import { tierProgress } from "@regulars/rules";

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

/** The customer's tier, what it rests on, and the gap to the next one ("Only 20 points to gold"). */
export async function customerTier(db: Db, tenantId: string, customerId: string, now = new Date()) {
  const id = await requireCustomer(db, tenantId, customerId);
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
    };
  }
  const value = await qualifyingValueNow(db, tenantId, id, tiers, timezone, now);
  const progress = tierProgress(tiers, value, loyalty?.tier ?? null);
  return {
    tiersEnabled: true as const,
    tier: { id: progress.tier.id, name: progress.tier.name },
    since: loyalty?.tierSince?.toISOString() ?? null,
    basis: tiers.basis,
    window: tiers.window,
    qualifyingValue: value,
    next: progress.next,
    benefits: progress.tier.benefits,
  };
}

/** An admin correction of points or wallet, with the programme in force now (for the lot's expiry, milestones). */
export async function adjustCustomer(db: Db, tenantId: string, actor: string, input: AdjustInput, now = new Date()) {
  return adjustBalance(db, tenantId, actor, input, await programmeNow(db, tenantId, now), now);
}
