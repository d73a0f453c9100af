import { type DbTx, exactNumber, Prisma, sqlArray } from "@regulars/db";
import { tierWindowStart } from "@regulars/rules";

export type TierBasis = "points_earned" | "spend" | "orders";

/**
 * Points *earned* (net of refunds, never the spendable balance), spend, or orders in [since, until). A refund's
 * reversal of earned points counts against them; the points and wallet cash a refund gives back of what its sale
 * spent (a `reverse` that credits) were never earned, and do not count. Points are
 * read from `ledger_movements_customer_time_idx` alone (migration 0027), bounded by the window: by customer alone
 * every batch read each customer's whole history from the heap.
 *
 * `since` is one window start for every customer, or one per customer (parallel to `ids`): a rolling window ends at
 * each customer's own latest sale, so a batch's customers rarely share a start, and one statement reads them all
 * (a statement per customer once cost the ledger a third of its time).
 */
export function qualifyingStatement(
  tenantId: string,
  ids: readonly string[],
  basis: TierBasis,
  since: Date | readonly Date[],
  until = new Date(8.64e15),
): Prisma.Sql {
  const list = sqlArray(ids);
  const starts = sqlArray(Array.isArray(since) ? since : ids.map(() => since as Date));
  const windows = Prisma.sql`unnest(${list}::text[], ${starts}::timestamptz[]) AS w(customer_id, since)`;
  // Each window is read by a LATERAL subquery, so every customer is one index range scan whatever the planner
  // estimates of the unnest (a join here was planned as a hash join over every movement of the tenant).
  if (basis === "points_earned") {
    // A merge moves a till customer's sales to the app account but not its movements (the ledger is append-only):
    // the points that customer earned count for the account it became, read under its own id.
    return Prisma.sql`
      WITH w AS (SELECT * FROM ${windows}), person AS (
        SELECT customer_id, customer_id AS person, since FROM w
        UNION ALL
        SELECT cm.merged_id, cm.into_id, w.since FROM customer_merges cm JOIN w ON w.customer_id = cm.into_id
        WHERE cm.tenant_id = ${tenantId}
      )
      SELECT p.person AS customer_id, sum(e.value) AS value
      FROM person p CROSS JOIN LATERAL (
        SELECT sum(m.amount) AS value FROM ledger_movements m
        WHERE m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id
          AND m.occurred_at >= p.since AND m.occurred_at < ${until}
          AND (m.kind = 'earn' OR (m.kind = 'reverse' AND m.amount < 0))
      ) e
      WHERE e.value IS NOT NULL
      GROUP BY p.person`;
  }
  if (basis === "spend") {
    return Prisma.sql`
      SELECT w.customer_id, s.value FROM ${windows} CROSS JOIN LATERAL (
        SELECT sum(CASE WHEN t.type = 'sale' THEN t.total ELSE -t.total END) AS value FROM transactions t
        WHERE t.tenant_id = ${tenantId} AND t.customer_id = w.customer_id
          AND t.occurred_at >= w.since AND t.occurred_at < ${until}
      ) s
      WHERE s.value IS NOT NULL`;
  }
  // An order refunded in full no longer counts, as the refund planner decides when it takes a tier back.
  // (Refund lines never exceed their sale's lines, so refunds adding up to the total refund every line.)
  // A refund is stored under its sale's customer (a merge moves both), so the customer's own history holds every
  // refund to net: one pass over it (migration 0031) groups each sale with its refunds, not a probe per sale. The
  // refunds are not bounded by the window: a till may date a refund before its sale.
  return Prisma.sql`
    SELECT w.customer_id, o.value FROM ${windows} CROSS JOIN LATERAL (
      SELECT count(*) AS value FROM (
        SELECT sum(h.total) FILTER (WHERE h.type = 'sale') AS sold,
               coalesce(sum(h.total) FILTER (WHERE h.type = 'refund'), 0) AS refunded,
               bool_or(h.type = 'sale' AND h.occurred_at >= w.since AND h.occurred_at < ${until}) AS in_window
        FROM transactions h
        WHERE h.tenant_id = ${tenantId} AND h.customer_id = w.customer_id
        GROUP BY coalesce(h.refund_of, h.external_id)
      ) sale
      WHERE sale.in_window AND (sale.sold = 0 OR sale.sold > sale.refunded)
    ) o
    WHERE o.value > 0`;
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
  since: Date | readonly Date[],
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
