import { type Db, type DbTx, exactNumber, Prisma, sqlArray } from "@regulars/db";

/**
 * Each customer's next expiry under a policy that expires lot by lot: the points of released open lots that expire
 * on the first local day any of them does, and that day (`YYYY-MM-DD` in `zone`), by customer id. Pending points
 * are not counted: they cannot be spent, so they cannot be lost either. Customers with nothing expiring are absent.
 */
export async function nextLotExpiries(
  db: Db | DbTx,
  tenantId: string,
  customerIds: readonly string[],
  zone: string,
  now: Date,
): Promise<Map<string, { points: number; day: string }>> {
  const out = new Map<string, { points: number; day: string }>();
  if (!customerIds.length) return out;
  const rows = await db.$queryRaw<{ customer_id: string; day: string; points: bigint }[]>(
    nextLotExpiriesStatement(tenantId, customerIds, zone, now),
  );
  for (const r of rows) out.set(r.customer_id, { points: exactNumber(r.points), day: r.day });
  return out;
}

/** The read of `nextLotExpiries`: the customers' released open lots, through `point_lots_customer_live_idx`. */
export function nextLotExpiriesStatement(
  tenantId: string,
  customerIds: readonly string[],
  zone: string,
  now: Date,
): Prisma.Sql {
  return Prisma.sql`
    SELECT DISTINCT ON (customer_id) customer_id, day::text AS day, sum(remaining) OVER (PARTITION BY customer_id, day) AS points
    FROM (
      SELECT customer_id, remaining, (expires_at AT TIME ZONE ${zone})::date AS day FROM point_lots
      WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray([...customerIds])}::text[]) AND remaining > 0 AND released
        AND expires_at > ${now}
    ) lots
    ORDER BY customer_id, day`;
}
