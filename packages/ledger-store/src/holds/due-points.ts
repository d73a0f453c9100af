import type { CheckoutCustomer } from "@regulars/checkout";
import type { ExpiryPolicy } from "@regulars/contracts";
import { Prisma, type RawTx } from "@regulars/db";
import { inactivityExpiry } from "@regulars/rules";
import { lotWithPointsToExpire } from "../accounts/expiring.ts";
import { inactivityClocksOf } from "../accounts/inactivity-clock.ts";
import { announcedInactivityExpiries } from "../jobs/inactivity-notice.ts";

// Points past their expiry date are spendable until the expiry job takes them, and it leaves a customer alone while a
// hold of theirs reserves points (`expirePoints`): a hold counting them as available would spend expired points, and a
// chain of holds would keep them for ever. So a checkout counts as available the balance less the larger of what
// holds reserve and what is due to expire (`spendablePoints`), `duePoints` read here as the expiry job decides it.

/**
 * What is left at `at` of the spendable lots (released; pending points are not in the balance) of the customer
 * `customerId` names whose date has passed (`lotWithPointsToExpire`, as the expiry job picks them): an SQL expression.
 */
export const lotsDueSql = (tenantId: string, customerId: Prisma.Sql, at: Date) => Prisma.sql`coalesce((
  SELECT sum(l.remaining) FROM point_lots l
  WHERE l.tenant_id = ${tenantId} AND l.customer_id = ${customerId} AND l.released AND ${lotWithPointsToExpire("l")}
    AND l.expires_at <= ${at}), 0)`;

/**
 * The customer with, under an inactivity policy, the whole balance due once the expiry of their clock has come as
 * `expirePoints` decides it: the date the rules derive from the clock, and, when the tenant gives notice, not before
 * the date the customer's notice for that clock announced (a customer not told yet keeps their points). Other policies
 * and a customer without points read nothing.
 */
export async function withInactivityDue(
  db: RawTx,
  tenantId: string,
  customer: CheckoutCustomer | null,
  programme: { timezone: string; config: { expiry: ExpiryPolicy } },
  at: Date,
): Promise<CheckoutCustomer | null> {
  const policy = programme.config.expiry;
  if (!customer || policy.kind !== "inactivity" || customer.points <= 0) return customer;
  const period = { months: policy.months, timezone: programme.timezone };
  const [clock] = await inactivityClocksOf(db, tenantId, [customer.id], period);
  const derived = clock && inactivityExpiry(policy, clock.clock_at.toISOString(), programme.timezone);
  if (!clock || !derived || derived > at) return customer;
  const announced = (await announcedInactivityExpiries(db, tenantId, [clock])).get(customer.id);
  const due = announced ? announced <= at : policy.noticeDays === 0;
  return due ? { ...customer, duePoints: Math.max(customer.duePoints ?? 0, customer.points) } : customer;
}
