import type { FactsTarget } from "./loyalty-events.ts";

/**
 * A row of the `customers` dimension table (migrations/0003_customers.sql): the attributes segments test,
 * flags and dates only, and the customer's lifetime sale totals (0005): items bought and items per tag.
 * `version` orders snapshots of one customer (the latest wins); dates are `YYYY-MM-DD hh:mm:ss.SSS` in UTC.
 */
export interface CustomerSnapshotRow {
  tenant_id: string;
  customer_id: string;
  tier: string;
  consents: string[];
  has_email: boolean;
  has_phone: boolean;
  has_date_of_birth: boolean;
  birth_month: number;
  birth_day: number;
  registered_at: string | null;
  created_at: string;
  item_count: number;
  tag_quantities: Record<string, number>;
  version: string;
}

export async function insertCustomerSnapshots(target: FactsTarget, rows: CustomerSnapshotRow[]): Promise<void> {
  if (!rows.length) return;
  await target.client.insert({ table: `${target.database}.customers`, values: rows, format: "JSONEachRow" });
}

/** Which of a tenant's customers have a snapshot already (any version). */
export async function customersWithSnapshot(
  target: FactsTarget,
  tenantId: string,
  customerIds: string[],
): Promise<Set<string>> {
  if (!customerIds.length) return new Set();
  const result = await target.client.query({
    query:
      `SELECT DISTINCT customer_id FROM ${target.database}.customers ` +
      "WHERE tenant_id = {tenant:String} AND customer_id IN {ids:Array(String)}",
    query_params: { tenant: tenantId, ids: customerIds },
    format: "JSONEachRow",
  });
  return new Set((await result.json<{ customer_id: string }>()).map((row) => row.customer_id));
}
