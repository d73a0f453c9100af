import { exactNumber } from "@regulars/db";
import type { JobResult } from "@regulars/ledger-store";
import type { Quintiles, RfmBoundaries } from "@regulars/profiles";
import type { DbOrTx } from "../shared.ts";

const DAY_MS = 86_400_000;
/** Quintiles move slowly: recomputing them once an hour is plenty, and spares a scan of a year of facts per pass. */
export const RFM_BOUNDARIES_MAX_AGE_MS = 3_600_000;

interface BoundariesRow {
  customers: number;
  recency: number[] | null;
  frequency: number[] | null;
  monetary: (bigint | number)[] | null;
}

/**
 * Scheduled job `rfm-boundaries`: the tenant's RFM quintile boundaries over its customers with an order in the
 * last 365 days (definitions in packages/profiles/README.md: a voided sale and its refunds count nowhere), as of
 * `now`, unless they were computed less than an hour before. `percentile_disc` is the nearest-rank percentile
 * `quintileBoundaries` computes, done where the facts are: a tenant's customers never travel to the process. No such customer: the boundaries are removed,
 * so no one is scored against a population that no longer exists. `acted`: 1 when recomputed.
 */
export async function computeRfmBoundaries(ctx: { db: DbOrTx; tenantId: string; now: Date }): Promise<JobResult> {
  const { db, tenantId, now } = ctx;
  const [fresh] = await db.$queryRaw<{ computed_at: Date }[]>`
    SELECT computed_at FROM profile_rfm_boundaries
    WHERE tenant_id = ${tenantId} AND computed_at > ${new Date(now.getTime() - RFM_BOUNDARIES_MAX_AGE_MS)}
      AND computed_at <= ${now}`;
  if (fresh) return { acted: 0, outbox: [] };
  const [row] = await db.$queryRaw<BoundariesRow[]>`
    WITH active AS (
      SELECT customer_id,
        floor(extract(epoch FROM (${now}::timestamptz - max(occurred_at) FILTER (WHERE kind = 'sale'))) / 86400)::int
          AS recency,
        (count(*) FILTER (WHERE kind = 'sale'))::int AS frequency,
        sum(CASE WHEN kind = 'sale' THEN value ELSE -value END)::bigint AS monetary
      FROM profile_orders
      WHERE tenant_id = ${tenantId} AND occurred_at > ${new Date(now.getTime() - 365 * DAY_MS)} AND occurred_at <= ${now}
        AND NOT voided
      GROUP BY customer_id
      HAVING count(*) FILTER (WHERE kind = 'sale') > 0
    )
    SELECT count(*)::int AS customers,
      percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY recency) AS recency,
      percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY frequency) AS frequency,
      percentile_disc(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY monetary) AS monetary
    FROM active`;
  if (!row || row.customers === 0 || !row.recency || !row.frequency || !row.monetary) {
    const removed = await db.$executeRaw`DELETE FROM profile_rfm_boundaries WHERE tenant_id = ${tenantId}`;
    return { acted: removed, outbox: [] };
  }
  await db.$executeRaw`
    INSERT INTO profile_rfm_boundaries (tenant_id, computed_at, customers, recency, frequency, monetary)
    VALUES (${tenantId}, ${now}, ${row.customers}, ${row.recency}::int[], ${row.frequency}::int[],
      ${row.monetary.map(String)}::bigint[])
    ON CONFLICT (tenant_id) DO UPDATE SET computed_at = excluded.computed_at, customers = excluded.customers,
      recency = excluded.recency, frequency = excluded.frequency, monetary = excluded.monetary`;
  return { acted: 1, outbox: [] };
}

/** The tenant's latest boundaries, or null before the first computation (profiles then carry no scores). */
export async function readRfmBoundaries(db: DbOrTx, tenantId: string): Promise<RfmBoundaries | null> {
  const [row] = await db.$queryRaw<{ recency: number[]; frequency: number[]; monetary: bigint[] }[]>`
    SELECT recency, frequency, monetary FROM profile_rfm_boundaries WHERE tenant_id = ${tenantId}`;
  if (!row) return null;
  return {
    recency: row.recency as Quintiles,
    frequency: row.frequency as Quintiles,
    monetary: row.monetary.map(exactNumber) as Quintiles,
  };
}
