import type { FactsTarget } from "../loyalty-events.ts";
import { assertRange, type DashboardRange, occurredInRange, rangeParams } from "./range.ts";
import { factTable, int, selectRows } from "./select.ts";

export interface LocationFigures {
  locationId: string;
  /** Sales at the location in the range. */
  transactions: number;
  refunds: number;
  /** Sales less refunds, minor units of the tenant's currency. */
  revenue: number;
}

interface Row {
  location_id: string;
  transactions: string;
  refunds: string;
  revenue: string;
}

/** Sales, refunds and revenue of each location over the range, highest revenue first. */
export async function locationTotals(target: FactsTarget, range: DashboardRange): Promise<LocationFigures[]> {
  assertRange(range);
  const rows = await selectRows<Row>(
    target,
    `SELECT location_id,
            countIf(type = 'sale') AS transactions,
            countIf(type = 'refund') AS refunds,
            sumIf(total, type = 'sale') - sumIf(total, type = 'refund') AS revenue
       FROM ${factTable(target, "transactions")} FINAL
      WHERE tenant_id = {tenant:String} AND ${occurredInRange}
      GROUP BY location_id
      ORDER BY revenue DESC, location_id`,
    rangeParams(range),
  );
  return rows.map((r) => ({
    locationId: r.location_id,
    transactions: int(r.transactions),
    refunds: int(r.refunds),
    revenue: int(r.revenue),
  }));
}
