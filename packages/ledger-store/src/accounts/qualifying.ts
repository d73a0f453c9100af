import { type DbTx, exactNumber, Prisma, sqlArray } from "@regulars/db";
import { tierWindowStart } from "@regulars/rules";

export type TierBasis = "points_earned" | "spend" | "orders";

/**
 * Points *earned* (net of refunds, never the spendable balance), spend, or orders in [since, until). A refund's
 * reversal of earned points counts against them; the points and wallet cash a refund gives back of what its sale
 * spent (a `reverse` that credits) were never earned, and do not count. Points are
 * read from `ledger_movements_customer_time_idx` alone (migration 0027), bounded by the window: by customer alone
 * every batch read each customer's whole history from the heap.
 */
export function qualifyingStatement(
  tenantId: string,
  ids: readonly string[],
  basis: TierBasis,
  since: Date,
  until = new Date(8.64e15),
): Prisma.Sql {
  const list = sqlArray(ids);
  if (basis === "points_earned") {
    // A merge moves a till customer's sales to the app account but not its movements (the ledger is append-only):
    // the points that customer earned count for the account it became, read under its own id.
    return Prisma.sql`
      WITH person AS (
        SELECT id AS customer_id, id AS person FROM unnest(${list}::text[]) AS id
        UNION ALL
        SELECT merged_id, into_id FROM customer_merges WHERE tenant_id = ${tenantId} AND into_id = ANY(${list}::text[])
      )
      SELECT p.person AS customer_id, sum(m.amount) AS value
      FROM person p JOIN ledger_movements m ON m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id
      WHERE m.occurred_at >= ${since} AND m.occurred_at < ${until}
        AND (m.kind = 'earn' OR (m.kind = 'reverse' AND m.amount < 0))
      GROUP BY p.person`;
  }
  if (basis === "spend") {
    return Prisma.sql`
      SELECT customer_id, sum(CASE WHEN type = 'sale' THEN total ELSE -total END) AS value FROM transactions
      WHERE tenant_id = ${tenantId} AND customer_id = ANY(${list}::text[]) AND occurred_at >= ${since} AND occurred_at < ${until}
      GROUP BY customer_id`;
  }
  // An order refunded in full no longer counts, as the refund planner decides when it takes a tier back.
  // (Refund lines never exceed their sale's lines, so refunds adding up to the total refund every line.)
  // A refund is stored under its sale's customer (a merge moves both), so these customers' refunds are all there is
  // to net: read in one pass over their history (migration 0031), not probed sale by sale.
  return Prisma.sql`
    SELECT s.customer_id, count(*) AS value FROM transactions s
    LEFT JOIN (
      SELECT r.refund_of, sum(r.total) AS total FROM transactions r
      WHERE r.tenant_id = ${tenantId} AND r.customer_id = ANY(${list}::text[]) AND r.type = 'refund'
      GROUP BY r.refund_of
    ) refunded ON refunded.refund_of = s.external_id
    WHERE s.tenant_id = ${tenantId} AND s.customer_id = ANY(${list}::text[]) AND s.type = 'sale'
      AND s.occurred_at >= ${since} AND s.occurred_at < ${until}
      AND (s.total = 0 OR s.total > coalesce(refunded.total, 0))
    GROUP BY s.customer_id`;
}

/** The customers' earn movements since `since`, for the daily cap: from the same index, bounded by the day. */
export const earnedSinceStatement = (tenantId: string, ids: readonly string[], since: Date): Prisma.Sql => Prisma.sql`
  SELECT customer_id, occurred_at, amount FROM ledger_movements
  WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray(ids)}::text[]) AND occurred_at >= ${since} AND kind = 'earn'`;

export function qualifyingValues(
  tx: Pick<DbTx, "$queryRaw">,
  tenantId: string,
  ids: string[],
  basis: TierBasis,
  since: Date,
  until?: Date,
) {
  return tx.$queryRaw<{ customer_id: string; value: bigint }[]>(
    qualifyingStatement(tenantId, ids, basis, since, until),
  );
}

/** The value a customer's tier rests on now: the programme's basis over its window, in the tenant's time zone. */
export async function qualifyingValueNow(
  db: Pick<DbTx, "$queryRaw">,
  tenantId: string,
  customerId: string,
  tiers: { basis: TierBasis; window: "lifetime" | "calendar_year" | "rolling_12_months" },
  timezone: string,
  now: Date,
): Promise<number> {
  const since = tierWindowStart(tiers.window, now.toISOString(), timezone) ?? new Date(0);
  const [row] = await qualifyingValues(db, tenantId, [customerId], tiers.basis, since);
  return exactNumber(row?.value ?? 0);
}
