import type { DbTx } from "@regulars/db";

export type TierBasis = "points_earned" | "spend" | "orders";

/** Points *earned* (net of refunds, never the spendable balance), spend, or orders in [since, until). */
export function qualifyingValues(
  tx: Pick<DbTx, "$queryRaw">,
  tenantId: string,
  ids: string[],
  basis: TierBasis,
  since: Date,
  until = new Date(8.64e15),
) {
  if (basis === "points_earned") {
    return tx.$queryRaw<{ customer_id: string; value: bigint }[]>`
      SELECT customer_id, sum(amount) AS value FROM ledger_movements
      WHERE tenant_id = ${tenantId} AND customer_id = ANY(${ids}::text[]) AND kind IN ('earn', 'reverse') AND occurred_at >= ${since} AND occurred_at < ${until}
      GROUP BY customer_id`;
  }
  if (basis === "spend") {
    return tx.$queryRaw<{ customer_id: string; value: bigint }[]>`
      SELECT customer_id, sum(CASE WHEN type = 'sale' THEN total ELSE -total END) AS value FROM transactions
      WHERE tenant_id = ${tenantId} AND customer_id = ANY(${ids}::text[]) AND occurred_at >= ${since} AND occurred_at < ${until}
      GROUP BY customer_id`;
  }
  return tx.$queryRaw<{ customer_id: string; value: bigint }[]>`
    SELECT customer_id, count(*) FILTER (WHERE type = 'sale') AS value FROM transactions
    WHERE tenant_id = ${tenantId} AND customer_id = ANY(${ids}::text[]) AND occurred_at >= ${since} AND occurred_at < ${until}
    GROUP BY customer_id`;
}
