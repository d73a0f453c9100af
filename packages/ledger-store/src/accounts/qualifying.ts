import { type DbTx, exactNumber, Prisma, sqlArray } from "@regulars/db";
import { tierWindowStart } from "@regulars/rules";
import { saleWithRefunds, stillAnOrder } from "./voided-sales.ts";

export type TierBasis = "points_earned" | "spend" | "orders";

/**
 * Points *earned* (net of refunds, never the spendable balance), spend, or orders in [since, until). A refund's
 * reversal of earned points counts against them, as do the points it spared because they had expired
 * (`sparedExpired`); the points and wallet cash a refund gives back of what its sale spent (a `reverse` that
 * credits) were never earned, and do not count. A refund counts in the window of the sale it
 * refunds, whenever it is made: a sale of 28 December refunded on 2 January takes its points from the year it
 * earned them in, not from the new one. Earned points are read from `ledger_movements_customer_time_idx` alone
 * (migration 0027), bounded by the window: by customer alone every batch read each customer's whole history from
 * the heap.
 *
 * `since` and `until` are one bound for every customer, or one per customer (parallel to `ids`): a rolling window
 * ends at each customer's own latest sale, and a calendar year at the end of the year of that sale, so a batch's
 * customers rarely share a window, and one statement reads them all (a statement per customer once cost the ledger
 * a third of its time).
 */
export function qualifyingStatement(
  tenantId: string,
  ids: readonly string[],
  basis: TierBasis,
  since: Date | readonly Date[],
  until: Date | readonly (Date | null)[] | null = null,
): Prisma.Sql {
  const perCustomer = (bound: Date | readonly (Date | null)[] | null): readonly (Date | null)[] =>
    Array.isArray(bound) ? bound : ids.map(() => bound as Date | null);
  const windows = windowsOf(ids, perCustomer(since), perCustomer(until));
  // Each window is read by a LATERAL subquery, so every customer is one index range scan whatever the planner
  // estimates of the unnest (a join here was planned as a hash join over every movement of the tenant).
  if (basis === "points_earned") {
    // A merge moves a till customer's sales to the app account but not its movements (the ledger is append-only):
    // the points that customer earned count for the account it became, read under its own id, and so do the
    // reversals posted under it. One level of customer_merges finds everyone the person was: a merge re-points the
    // merges into its merged customer at its survivor (customers-store `mergeCustomer`, migration 0038). A reversal counts when its sale lies in the window: it is found among the
    // customer's movements from the window's start on (a refund follows its sale), by the same index range as the
    // points earned, and only those few rows look up their refund and its sale.
    return Prisma.sql`
      ${personsWith(tenantId, windows)}
      SELECT p.person AS customer_id, sum(coalesce(e.value, 0) + coalesce(r.value, 0) - coalesce(x.value, 0)) AS value
      FROM person p
      CROSS JOIN LATERAL (
        SELECT sum(m.amount) AS value FROM ledger_movements m
        WHERE m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id
          AND m.occurred_at >= p.since AND m.occurred_at < p.until AND m.kind = 'earn'
      ) e
      CROSS JOIN LATERAL (
        SELECT sum(m.amount) AS value FROM ledger_movements m
        JOIN transactions refund ON refund.id = m.transaction_id
        JOIN transactions sale ON sale.tenant_id = ${tenantId} AND sale.external_id = refund.refund_of
        WHERE m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id AND m.occurred_at >= p.since
          AND m.kind = 'reverse' AND m.amount < 0
          AND sale.occurred_at >= p.since AND sale.occurred_at < p.until
      ) r
      CROSS JOIN LATERAL (
        SELECT sum(s.expired) AS value FROM ${sparedExpired(tenantId)} WHERE s.sale_at < p.until
      ) x
      WHERE e.value IS NOT NULL OR r.value IS NOT NULL OR x.value IS NOT NULL
      GROUP BY p.person`;
  }
  if (basis === "spend") {
    // Sales in the window, less what refunds took back of them: a refund is among the customer's transactions from
    // the window's start on, and only refunds look up their sale.
    return Prisma.sql`
      SELECT w.customer_id, s.value FROM ${windows} CROSS JOIN LATERAL (
        SELECT sum(CASE WHEN t.type = 'sale' THEN t.total ELSE -t.total END) AS value FROM transactions t
        WHERE t.tenant_id = ${tenantId} AND t.customer_id = w.customer_id AND t.occurred_at >= w.since
          AND CASE WHEN t.type = 'sale' THEN t.occurred_at < w.until
            ELSE EXISTS (SELECT 1 FROM transactions sale WHERE sale.tenant_id = ${tenantId}
              AND sale.external_id = t.refund_of AND sale.occurred_at >= w.since AND sale.occurred_at < w.until) END
      ) s
      WHERE s.value IS NOT NULL`;
  }
  const sales = salesInWindow(tenantId);
  // A sale its refunds voided no longer counts (`voided-sales.ts`, the rule's home, which the profile shares), as
  // the refund planner decides when it takes a tier back.
  return Prisma.sql`
    SELECT w.customer_id, o.value FROM ${windows} CROSS JOIN LATERAL (
      SELECT count(*) AS value FROM (${sales}) sale
      WHERE ${stillAnOrder("sale")}
    ) o
    WHERE o.value > 0`;
}

/**
 * `s`: the points that refunds of `person` p's sales in the window spared because they had expired from the sale's
 * lot (`expired` in the refund's effects), with their sale's time (`sale_at`) and the time they count at (`at`, as a
 * reversal's). No reversal was posted for them, yet they were not earned for good either: they count against the
 * points earned as a reversal would, by the same window rule (the caller bounds the end). Such refunds are rare:
 * their partial index (migration 0054; the predicate spelled as the index's, so the planner matches it) makes the
 * common case one probe of an almost empty index, where the customer's history would be read from the window's
 * start. Each one found looks its sale up by key (a join was planned, on a young table, as a range of the tenant's
 * history index).
 */
const sparedExpired = (tenantId: string) => Prisma.sql`(
  SELECT f.expired, f.sale_at, least(f.refund_at, f.sale_at) AS at FROM (
    SELECT (refund.effects ->> 'expired')::int8 AS expired, refund.occurred_at AS refund_at,
      (SELECT sale.occurred_at FROM transactions sale
        WHERE sale.tenant_id = ${tenantId} AND sale.external_id = refund.refund_of) AS sale_at
    FROM transactions refund
    WHERE refund.tenant_id = ${tenantId} AND refund.customer_id = p.customer_id AND refund.occurred_at >= p.since
      AND refund.type = 'refund' AND refund.effects ? 'expired'
    OFFSET 0
  ) f
  WHERE f.sale_at >= p.since
) s`;

/** One window `[since, until)` per customer, as the relation `w` (a null `until`: open-ended). */
const windowsOf = (ids: readonly string[], since: readonly (Date | null)[], until: readonly (Date | null)[]) =>
  Prisma.sql`(
    SELECT customer_id, since, coalesce(until, 'infinity') AS until
    FROM unnest(${sqlArray(ids)}::text[], ${sqlArray(since)}::timestamptz[], ${sqlArray(until)}::timestamptz[])
      AS bounds(customer_id, since, until)
  ) w`;

/**
 * `person`: each windowed customer and everyone merged into them, under the person they became, with that window. One
 * level of customer_merges finds everyone: a merge re-points the merges into its merged customer at its survivor.
 */
const personsWith = (tenantId: string, windows: Prisma.Sql) => Prisma.sql`
  WITH w AS (SELECT * FROM ${windows}), person AS (
    SELECT customer_id, customer_id AS person, since, until FROM w
    UNION ALL
    SELECT cm.merged_id, cm.into_id, w.since, w.until FROM customer_merges cm JOIN w ON w.customer_id = cm.into_id
    WHERE cm.tenant_id = ${tenantId}
  )`;

/**
 * The customer `w.customer_id`'s sales in their window `[w.since, w.until)`, each with what its refunds took back,
 * wherever those refunds are dated. A refund is stored under its sale's
 * customer (a merge moves both), so the customer's own history holds every refund: one pass over it (migration
 * 0031) groups each sale with its refunds, not a probe per sale. The refunds are not bounded by the window: they
 * may come after it ends, and a till may date a refund before its sale.
 */
const salesInWindow = (tenantId: string) => Prisma.sql`
  SELECT ${saleWithRefunds(Prisma.sql`${tenantId}`)}
  FROM transactions h
  WHERE h.tenant_id = ${tenantId} AND h.customer_id = w.customer_id
  GROUP BY coalesce(h.refund_of, h.external_id)
  HAVING bool_or(h.type = 'sale' AND h.occurred_at >= w.since AND h.occurred_at < w.until)`;

/**
 * What `qualifyingStatement` sums, item by item: rows (customer_id, at, value), `at` being the latest window start an
 * item still counts from, so that for open-ended windows [s, ∞) and [u, ∞) with since ≤ s ≤ u, the values of the
 * items with s ≤ at < u add up to the difference of their totals, and one read serves every nested window of a
 * customer (a rolling window starts at each sale: a statement per window once cost a batch seconds). Earned points
 * count at their own time, merged customers' under the person they became; a reversal or a refund at the earlier of
 * its own time and its sale's (both bound the window there); an order at its sale's, unless refunded in full.
 * Items are read with `since ≤ at < until` (`until` per customer; null: open-ended).
 */
export function qualifyingItemsStatement(
  tenantId: string,
  ids: readonly string[],
  basis: TierBasis,
  since: readonly Date[],
  until: readonly (Date | null)[],
): Prisma.Sql {
  const windows = windowsOf(ids, since, until);
  if (basis === "points_earned") {
    // The earn movements are bounded by the index on both sides; reversals from `since` on, as `qualifyingStatement`.
    return Prisma.sql`
      ${personsWith(tenantId, windows)}
      SELECT p.person AS customer_id, i.at, i.value FROM person p CROSS JOIN LATERAL (
        SELECT m.occurred_at AS at, m.amount AS value FROM ledger_movements m
        WHERE m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id
          AND m.occurred_at >= p.since AND m.occurred_at < p.until AND m.kind = 'earn'
        UNION ALL
        SELECT least(m.occurred_at, sale.occurred_at), m.amount FROM ledger_movements m
        JOIN transactions refund ON refund.id = m.transaction_id
        JOIN transactions sale ON sale.tenant_id = ${tenantId} AND sale.external_id = refund.refund_of
        WHERE m.tenant_id = ${tenantId} AND m.customer_id = p.customer_id AND m.occurred_at >= p.since
          AND m.kind = 'reverse' AND m.amount < 0
          AND sale.occurred_at >= p.since AND least(m.occurred_at, sale.occurred_at) < p.until
        UNION ALL
        SELECT s.at, -s.expired FROM ${sparedExpired(tenantId)} WHERE s.at < p.until
      ) i`;
  }
  if (basis === "spend") {
    return Prisma.sql`
      SELECT w.customer_id, i.at, i.value FROM ${windows} CROSS JOIN LATERAL (
        SELECT CASE WHEN t.type = 'sale' THEN t.occurred_at ELSE least(t.occurred_at, sale.occurred_at) END AS at,
          CASE WHEN t.type = 'sale' THEN t.total ELSE -t.total END AS value
        FROM transactions t
        LEFT JOIN transactions sale ON t.type <> 'sale' AND sale.tenant_id = ${tenantId} AND sale.external_id = t.refund_of
        WHERE t.tenant_id = ${tenantId} AND t.customer_id = w.customer_id AND t.occurred_at >= w.since
          AND (t.type = 'sale' OR sale.occurred_at >= w.since)
      ) i
      WHERE i.at < w.until`;
  }
  // Orders: as `salesInWindow`, the customer's history grouped by sale, each at its sale's time.
  return Prisma.sql`
    SELECT w.customer_id, o.at, 1::bigint AS value FROM ${windows} CROSS JOIN LATERAL (
      SELECT max(h.occurred_at) FILTER (WHERE h.type = 'sale') AS at, ${saleWithRefunds(Prisma.sql`${tenantId}`)}
      FROM transactions h
      WHERE h.tenant_id = ${tenantId} AND h.customer_id = w.customer_id
      GROUP BY coalesce(h.refund_of, h.external_id)
    ) o
    WHERE o.at >= w.since AND o.at < w.until AND ${stillAnOrder("o")}`;
}

/**
 * The customers' points earned since `since`, for the daily cap: from the same index, bounded by the day. A customer
 * merged into one of them earned as the same person (their movements stay under their own id): counted under it. The
 * ids are one array the index is probed with (`ANY(ARRAY(...))`), as before merges counted: a join per windowed
 * person, as the tier reads use, cost the full programme a fifth of its throughput here. A refund's reversal of
 * earned points gives back the room its sale used: it counts at its sale's time, in the day the sale's points were
 * counted, as the refund planner counts it (`planRefund`); a refund today of yesterday's sale frees nothing today.
 * Reversals are found among the movements from `since` on (a refund follows its sale), and only those few rows look
 * up their refund and its sale, as `qualifyingStatement` does.
 */
export const earnedSinceStatement = (tenantId: string, ids: readonly string[], since: Date): Prisma.Sql => Prisma.sql`
  WITH person AS (
    SELECT id AS customer_id, id AS person FROM unnest(${sqlArray(ids)}::text[]) AS id
    UNION ALL
    SELECT merged_id, into_id FROM customer_merges
    WHERE tenant_id = ${tenantId} AND into_id = ANY(${sqlArray(ids)}::text[])
  ), moved AS (
    SELECT p.person, m.occurred_at, m.amount, m.kind, m.transaction_id
    FROM ledger_movements m JOIN person p USING (customer_id)
    WHERE m.tenant_id = ${tenantId} AND m.customer_id = ANY(ARRAY(SELECT customer_id FROM person))
      AND m.occurred_at >= ${since} AND (m.kind = 'earn' OR (m.kind = 'reverse' AND m.amount < 0))
  )
  SELECT person AS customer_id, occurred_at, amount FROM moved WHERE kind = 'earn'
  UNION ALL
  SELECT r.person, sale.occurred_at, r.amount FROM moved r
  JOIN transactions refund ON refund.id = r.transaction_id
  JOIN transactions sale ON sale.tenant_id = ${tenantId} AND sale.external_id = refund.refund_of
  WHERE r.kind = 'reverse' AND sale.occurred_at >= ${since}`;

export function qualifyingValues(
  tx: Pick<DbTx, "$queryRaw">,
  tenantId: string,
  ids: string[],
  basis: TierBasis,
  since: Date | readonly Date[],
  until?: Date | readonly Date[],
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
