import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { customerBalances, customerStanding, qualifyingValueNow } from "@regulars/ledger-store";
import type { MessageVariables } from "@regulars/messaging";
import { programmeInForce } from "@regulars/programme";
import { effectiveTier, tierProgress } from "@regulars/rules";

/** What the caller knows that the customer's rows do not: the coupon a step issued, deep links, the clock. */
export interface VariableExtras {
  coupon?: NonNullable<MessageVariables["coupon"]>;
  links?: Record<string, string>;
  now?: Date;
}

/**
 * The variables a template is rendered with for one customer: the same for a preview in the admin app and
 * for a message a campaign queues, so what the marketer sees is what the customer gets. Null for a customer
 * the tenant does not have. An erased customer keeps an empty first name: templates then read "Hi ,"
 * rather than another person's data, and the message queue skips erased customers anyway.
 */
export async function customerMessageVariables(
  db: Db,
  tenantId: string,
  customerId: string,
  extras: VariableExtras = {},
): Promise<MessageVariables | null> {
  const now = extras.now ?? new Date();
  const [customer, tenant, programme] = await Promise.all([
    db.customer.findFirst({ where: { id: customerId, tenantId }, select: { name: true } }),
    db.tenant.findUnique({ where: { id: tenantId }, select: { name: true } }),
    programmeInForce(db, tenantId, now),
  ]);
  if (!customer) return null;
  if (!tenant || !programme) throw new DomainError("not_found", "no such tenant");
  const [standing, balances] = await Promise.all([
    customerStanding(db, customerId),
    customerBalances(db, tenantId, customerId),
  ]);
  const [firstName = "", ...rest] = (customer.name ?? "").trim().split(/\s+/).filter(Boolean);
  const tiers = programme.config.tiers;
  const floor =
    standing?.tierFloor && standing.tierFloorUntil
      ? { tier: standing.tierFloor, until: standing.tierFloorUntil }
      : null;
  const tierId = tiers ? effectiveTier(tiers, standing?.tier ?? null, floor, now) : (standing?.tier ?? null);
  const points: NonNullable<MessageVariables["points"]> = { balance: balances.points };
  let tierName: string | undefined;
  if (tiers) {
    const value = await qualifyingValueNow(db, tenantId, customerId, tiers, programme.timezone, now);
    const progress = tierProgress(tiers, value, tierId);
    tierName = progress.tier.name;
    if (progress.next) {
      points.next_tier = progress.next.name;
      // The gap is in the tiers' own unit: only a programme that qualifies on points earned has "points to go".
      if (tiers.basis === "points_earned") points.to_next_tier = progress.next.gap;
    }
  }
  return {
    customer: {
      first_name: firstName,
      ...(rest.length ? { last_name: rest.join(" ") } : {}),
      ...(tierName ? { tier: tierName } : {}),
    },
    points,
    tenant: { name: tenant.name },
    ...(extras.coupon ? { coupon: extras.coupon } : {}),
    ...(extras.links ? { links: extras.links } : {}),
  };
}
