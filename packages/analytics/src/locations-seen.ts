import { factTable, int, selectRows } from "./dashboard/select.ts";
import type { FactsTarget } from "./loyalty-events.ts";
import { fromClickHouseDateTime, toClickHouseDateTime } from "./time.ts";

/**
 * How far back "seen at tills" looks. The transactions table is partitioned by month, so a bounded window reads at
 * most 13 monthly partitions of the tenant however many years of sales it holds, and the admin's Locations page
 * (which asks on every visit) stays as cheap in year five as in year one. A till that sold nothing for a year is
 * not one whose zone matters now; a configured location stays listed from Postgres either way.
 */
export const locationsSeenDays = 365;

export interface LocationSeen {
  locationId: string;
  /** Sales (not refunds) posted with this location in the window. */
  sales: number;
  /** ISO 8601 in UTC (`Z`): the latest sale's `occurredAt`. */
  lastSaleAt: string;
}

interface Row {
  location_id: string;
  sales: string;
  last_sale_at: string;
}

/**
 * Every location id a till of the tenant posted a sale with since `since`, with its sales and latest sale, by id.
 * Tills name locations by free string, so this is the only complete list of them: Postgres has no index to find it.
 */
export async function locationsSeenAtTills(
  target: FactsTarget,
  tenantId: string,
  since: Date,
): Promise<LocationSeen[]> {
  const rows = await selectRows<Row>(
    target,
    `SELECT location_id, count() AS sales, max(occurred_at) AS last_sale_at
       FROM ${factTable(target, "transactions")} FINAL
      WHERE tenant_id = {tenant:String} AND type = 'sale' AND occurred_at >= {since:DateTime64(3, 'UTC')}
      GROUP BY location_id
      ORDER BY location_id`,
    { tenant: tenantId, since: toClickHouseDateTime(since.toISOString()) },
  );
  return rows.map((r) => ({
    locationId: r.location_id,
    sales: int(r.sales),
    lastSaleAt: fromClickHouseDateTime(r.last_sale_at),
  }));
}
