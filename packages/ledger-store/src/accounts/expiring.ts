import { type Db, type DbTx, exactNumber, Prisma, sqlArray } from "@regulars/db";

/**
 * The lots whose points a dated expiry will take (`lot` names the `point_lots` row): points left and a date, spendable
 * or still pending. A lot is dated once, at award, and `expirePoints` expires it on that date whether it was released
 * or not: pending points whose date comes first are lost too, so they are announced like any others. The one
 * definition behind the notice (`sendExpiryNotices`), its message's points (`nextLotExpiries`) and the check that a
 * notice still stands (`announcedExpiryStands`), so the three cannot disagree about which points expire.
 */
export function lotWithPointsToExpire(lot: string): Prisma.Sql {
  const l = Prisma.raw(lot);
  return Prisma.sql`${l}.remaining > 0 AND ${l}.expires_at IS NOT NULL`;
}

/**
 * Each customer's next expiry under a policy that expires lot by lot: the points of the lots to expire
 * (`lotWithPointsToExpire`, pending ones too) on the first local day any of them does, and that day (`YYYY-MM-DD` in
 * `zone`), by customer id. Customers with nothing expiring are absent.
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

/** The read of `nextLotExpiries`: the customers' lots to expire, through `point_lots_customer_live_idx`. */
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
      WHERE tenant_id = ${tenantId} AND customer_id = ANY(${sqlArray([...customerIds])}::text[])
        AND ${lotWithPointsToExpire("point_lots")} AND expires_at > ${now}
    ) lots
    ORDER BY customer_id, day`;
}
