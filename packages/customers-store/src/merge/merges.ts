import type { DbOrTx } from "../shared.ts";

/** A customer merged into another (customer_merges): the survivor holds what was the merged customer's. */
export interface CustomerMerge {
  tenantId: string;
  mergedId: string;
  /** The last survivor: a merge of the survivor re-points the merges into it (see `mergeCustomer`). */
  intoId: string;
}

/**
 * The merges that took any of these customers away, one per merged customer among them; customers never merged
 * have none. Matched per tenant: another tenant's event naming a merged customer's id finds nothing.
 */
export async function mergesOf(
  db: DbOrTx,
  customers: { tenantId: string; customerId: string }[],
): Promise<CustomerMerge[]> {
  if (!customers.length) return [];
  const rows = await db.$queryRaw<{ tenant_id: string; merged_id: string; into_id: string }[]>`
    SELECT DISTINCT m.tenant_id, m.merged_id, m.into_id
    FROM unnest(${customers.map((c) => c.tenantId)}::text[], ${customers.map((c) => c.customerId)}::text[])
      AS x(tenant_id, customer_id)
    JOIN customer_merges m ON m.merged_id = x.customer_id AND m.tenant_id = x.tenant_id
    ORDER BY m.tenant_id, m.merged_id`;
  return rows.map((r) => ({ tenantId: r.tenant_id, mergedId: r.merged_id, intoId: r.into_id }));
}
