import type { CheckoutCustomer, KnownCoupon } from "@regulars/checkout";
import { type CustomerRef, identityOf } from "@regulars/contracts";
import { exactNumber, Prisma, type RawTx, type SqlReader } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { identityOwner, spelledIdentity } from "../customers/identity-owner.ts";
import { resolveCustomers, survivorsStatement } from "../customers/resolve.ts";
import { lockSurvivor } from "../customers/survivor-lock.ts";
import { lotsDueSql } from "./due-points.ts";
import { lapsedHeldUses } from "./expire-lapsed-uses.ts";
import { COUNTED_USES, type CouponRow, issuedToAnother, knownCoupons } from "./known-coupons.ts";
import { holdLapsed } from "./release.ts";
import { type UsageClock, usesByDay } from "./uses-by-day.ts";

/** The customer a checkout names, or null for an anonymous basket; unknown → not_found (checkout never enrols). */
export async function checkoutCustomerId(
  tx: RawTx,
  tenantId: string,
  ref: CustomerRef | null | undefined,
): Promise<string | null> {
  if (!ref) return null;
  const [r] = await resolveCustomers(tx, [{ tenantId, ref, create: false, createdVia: "checkout" }]);
  const customerId = r && "customerId" in r ? r.customerId : null;
  if (!customerId) throw new DomainError("not_found", "no customer with that identity");
  return customerId;
}

/** The tenant's currency: every amount of a checkout is in it (null for an unknown tenant). */
export async function tenantCurrency(tx: RawTx, tenantId: string): Promise<string | null> {
  const [row] = await tx.$queryRaw<{ currency: string }[]>`SELECT currency FROM tenants WHERE id = ${tenantId}`;
  return row?.currency ?? null;
}

/**
 * A hold still reserving at `at`: one lapsed (`holdLapsed`: past its expiry and any grace its sale's claim gives, or
 * its code expired unconfirmed) reserves nothing any more, whether or not the sweep has ended it yet.
 */
const liveHold = (at: Date) => Prisma.sql`status = 'held' AND NOT ${holdLapsed(at)}`;

/**
 * What the customers' holds in force at `at` reserve, by customer, for writers outside checkout (expiry, an admin's
 * debit) that must leave it spendable. The caller holds the customers' locks (`lockCustomers`), as a hold does.
 */
export async function heldByCustomer(
  tx: RawTx,
  tenantId: string,
  customerIds: readonly string[],
  at: Date,
): Promise<Map<string, { points: number; wallet: number }>> {
  if (!customerIds.length) return new Map();
  const rows = await tx.$queryRaw<{ customer_id: string; points: bigint; wallet: bigint }[]>`
    SELECT customer_id, sum(points) AS points, sum(wallet) AS wallet FROM checkout_holds
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${[...customerIds]}::text[]) AND ${liveHold(at)}
    GROUP BY customer_id`;
  return new Map(rows.map((r) => [r.customer_id, { points: exactNumber(r.points), wallet: exactNumber(r.wallet) }]));
}

/**
 * Balances, holds in force, points due to expire (`lotsDueSql`; an inactivity expiry is added by `withInactivityDue`)
 * and tier of a customer. With `lock` (a hold), the customer is locked first, and what is
 * read is the survivor's when the id was merged away, also by a merge that committed while this waited for the lock
 * (`lockSurvivor`): the merge moved the balances and coupon uses there, and read on the emptied row a per-customer
 * limit would count none of them. The answer's `id` is the customer to reserve for.
 */
export async function readCheckoutCustomer(
  tx: RawTx,
  tenantId: string,
  named: string,
  { lock, at }: { lock: boolean; at: Date },
): Promise<CheckoutCustomer> {
  const customerId = lock ? await lockCheckoutCustomer(tx, tenantId, named) : named;
  const [row] = await tx.$queryRaw<
    {
      tier: string | null;
      points: bigint | null;
      wallet: bigint | null;
      held_points: bigint;
      held_wallet: bigint;
      due_points: bigint;
    }[]
  >`
    SELECT
      (SELECT tier FROM customer_loyalty WHERE customer_id = ${customerId}) AS tier,
      (SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customerId} AND kind = 'points') AS points,
      (SELECT balance FROM ledger_accounts WHERE tenant_id = ${tenantId} AND owner = ${customerId} AND kind = 'wallet') AS wallet,
      coalesce((SELECT sum(points) FROM checkout_holds WHERE customer_id = ${customerId} AND ${liveHold(at)}), 0) AS held_points,
      coalesce((SELECT sum(wallet) FROM checkout_holds WHERE customer_id = ${customerId} AND ${liveHold(at)}), 0) AS held_wallet,
      ${lotsDueSql(tenantId, Prisma.sql`${customerId}`, at)} AS due_points`;
  return {
    id: customerId,
    tier: row?.tier ?? null,
    points: exactNumber(row?.points ?? 0),
    wallet: exactNumber(row?.wallet ?? 0),
    heldPoints: exactNumber(row?.held_points ?? 0),
    heldWallet: exactNumber(row?.held_wallet ?? 0),
    duePoints: exactNumber(row?.due_points ?? 0),
  };
}

/** The customer a hold reserves for, locked; an erased one is no one any more (not_found, as `checkoutCustomerId`). */
async function lockCheckoutCustomer(tx: RawTx, tenantId: string, customerId: string): Promise<string> {
  const locked = await lockSurvivor(tx, tenantId, customerId);
  if (!locked || locked.erased) throw new DomainError("not_found", "no customer with that identity");
  return locked.id;
}

/**
 * Everything a quote reads, in ONE statement: the customer the reference names, their tier, balances and
 * holds in force, and every coupon they typed or hold in their wallet with its campaign's use counts, less the
 * uses of holds past their expiry at `clock.at` that the sweep has not ended yet (a hold would end them: `readKnownCoupons`).
 * A quote is the kiosk's hot path and reserves nothing; each round trip to Postgres costs more than the pricing.
 * `customer` is null for an anonymous basket; an unknown reference is not_found, as in a hold. `currency` is
 * the tenant's, which the basket must be in.
 */
export async function readQuoteState(
  reader: SqlReader,
  tenantId: string,
  ref: CustomerRef | null | undefined,
  typed: string[],
  clock: UsageClock,
): Promise<{ customer: CheckoutCustomer | null; coupons: KnownCoupon[]; currency: string | null }> {
  const { at } = clock;
  const identity = ref ? identityOf(ref) : null;
  const byId = identity && "customerId" in identity ? identity.customerId : null;
  const byIdentity = identity && "kind" in identity ? spelledIdentity(identity) : null;
  const [row] = await reader.rows<QuoteStateRow>(Prisma.sql`
    WITH cust AS (
      -- An id merged away (an old receipt, a support ticket) names the account that absorbed it, as in a hold
      -- (checkoutCustomerId): the merged-away row is kept but emptied, and would quote 0 points and no coupons.
      -- An erased person's id is no one's any more (not_found, as a hold answers).
      SELECT s.survivor_id AS id FROM (${survivorsStatement(byId ? [byId] : [])}) s
      JOIN customers c ON c.id = s.survivor_id AND c.erased_at IS NULL
      WHERE s.tenant_id = ${tenantId}
      UNION ALL
      SELECT o.id FROM (SELECT ${identityOwner(
        Prisma.sql`${tenantId}`,
        Prisma.sql`${byIdentity?.kind ?? null}::text`,
        Prisma.sql`${byIdentity?.value ?? null}::text`,
        Prisma.sql`${byIdentity?.otherSpelling ?? null}::text`,
      )} AS id) o
      WHERE o.id IS NOT NULL
      LIMIT 1
    ), wallet AS (
      SELECT DISTINCT code FROM wallet_coupons WHERE tenant_id = ${tenantId} AND customer_id = (SELECT id FROM cust)
    ), wanted AS (
      SELECT code FROM unnest(${typed}::text[]) AS t(code) UNION SELECT code FROM wallet
    ), lapsed AS (${lapsedHeldUses(tenantId, at)}
    ), coupons AS (
      SELECT w.code, w.code IN (SELECT code FROM wallet) AS in_wallet, ${issuedToAnother} AS issued_to_another,
             k.campaign_id, k.max_uses,
             k.uses - (SELECT count(*) FROM lapsed l WHERE l.code = k.code AND l.campaign_id = c.id) AS code_uses,
             c.status, c.config,
             c.used_count - (SELECT count(*) FROM lapsed l WHERE l.campaign_id = c.id) AS used_count,
             c.used_amount - (SELECT coalesce(sum(l.discount), 0) FROM lapsed l WHERE l.campaign_id = c.id)
               AS used_amount,
             (SELECT count(*) FROM coupon_uses u
               WHERE u.campaign_id = c.id AND u.customer_id = (SELECT id FROM cust)
                 AND u.status = ANY(${COUNTED_USES}::text[]) AND u.id NOT IN (SELECT id FROM lapsed)) AS by_customer,
             ${usesByDay(clock, Prisma.sql`u.status = ANY(${COUNTED_USES}::text[]) AND u.id NOT IN (SELECT id FROM lapsed)`)}
               AS by_day
      FROM wanted w
      LEFT JOIN coupon_codes k ON k.tenant_id = ${tenantId} AND k.code = w.code
      LEFT JOIN coupon_campaigns c ON c.id = k.campaign_id AND c.tenant_id = ${tenantId}
    )
    SELECT (SELECT id FROM cust) AS customer_id,
      (SELECT currency FROM tenants WHERE id = ${tenantId}) AS currency,
      (SELECT tier FROM customer_loyalty WHERE customer_id = (SELECT id FROM cust)) AS tier,
      (SELECT balance FROM ledger_accounts
        WHERE tenant_id = ${tenantId} AND owner = (SELECT id FROM cust) AND kind = 'points') AS points,
      (SELECT balance FROM ledger_accounts
        WHERE tenant_id = ${tenantId} AND owner = (SELECT id FROM cust) AND kind = 'wallet') AS wallet,
      coalesce((SELECT sum(points) FROM checkout_holds WHERE customer_id = (SELECT id FROM cust) AND ${liveHold(at)}), 0) AS held_points,
      coalesce((SELECT sum(wallet) FROM checkout_holds WHERE customer_id = (SELECT id FROM cust) AND ${liveHold(at)}), 0) AS held_wallet,
      ${lotsDueSql(tenantId, Prisma.sql`(SELECT id FROM cust)`, at)} AS due_points,
      coalesce((SELECT json_agg(coupons) FROM coupons), '[]'::json) AS coupons`);
  if (ref && !row?.customer_id) throw new DomainError("not_found", "no customer with that identity");
  const customer: CheckoutCustomer | null = row?.customer_id
    ? {
        id: row.customer_id,
        tier: row.tier,
        points: exactNumber(row.points ?? 0),
        wallet: exactNumber(row.wallet ?? 0),
        heldPoints: exactNumber(row.held_points),
        heldWallet: exactNumber(row.held_wallet),
        duePoints: exactNumber(row.due_points),
      }
    : null;
  return { customer, coupons: knownCoupons(typed, row?.coupons ?? [], clock), currency: row?.currency ?? null };
}

interface QuoteStateRow {
  customer_id: string | null;
  currency: string | null;
  tier: string | null;
  // bigint through Prisma, a string through pg: both read with exactNumber.
  points: bigint | string | null;
  wallet: bigint | string | null;
  held_points: bigint | string;
  held_wallet: bigint | string;
  due_points: bigint | string;
  coupons: CouponRow[];
}
