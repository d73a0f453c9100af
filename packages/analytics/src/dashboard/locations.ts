import type { FactsTarget } from "../loyalty-events.ts";
import {
  assertRange,
  clickHouseZone,
  type DashboardRange,
  occurredInRange,
  occurredInRangeIn,
  rangeParams,
} from "./range.ts";
import { factTable, int, selectRows } from "./select.ts";

export interface LocationFigures {
  locationId: string;
  /** Sales at the location in the range. */
  transactions: number;
  refunds: number;
  /** Sales less refunds, minor units of the tenant's currency. */
  revenue: number;
}

export interface LocationsQuery extends DashboardRange {
  /**
   * The zone of each location that has one of its own (`locations.timezone`), by location id: its days run there.
   * Every other location's run in the range's `timezone` (the tenant's).
   */
  locationZones?: Readonly<Record<string, string>>;
}

interface Row {
  location_id: string;
  transactions: string;
  refunds: string;
  revenue: string;
}

/**
 * The range's days as a condition per zone: each location's sales from its own zone's first midnight to the one after
 * the last day, so "May" at a London till is May in London for a Warsaw tenant. Locations are grouped by zone (a
 * tenant has few), each group's zone and ids bound as numbered parameters; locations in the range's zone, or
 * without one of their own, fall to the range's condition.
 */
function inRangeByZone(query: LocationsQuery): { condition: string; params: Record<string, unknown> } {
  const rangeZone = clickHouseZone(query.timezone);
  const byZone = new Map<string, string[]>();
  for (const [location, timezone] of Object.entries(query.locationZones ?? {})) {
    const zone = clickHouseZone(timezone);
    if (zone !== rangeZone) byZone.set(zone, [...(byZone.get(zone) ?? []), location]);
  }
  if (byZone.size === 0) return { condition: occurredInRange, params: {} };
  const params: Record<string, unknown> = { zoned: [...byZone.values()].flat() };
  const conditions = [`(location_id NOT IN {zoned:Array(String)} AND ${occurredInRange})`];
  [...byZone].forEach(([zone, locations], n) => {
    params[`tz_${n}`] = zone;
    params[`locations_${n}`] = locations;
    conditions.push(`(location_id IN {locations_${n}:Array(String)} AND ${occurredInRangeIn(`tz_${n}`)})`);
  });
  return { condition: `(${conditions.join(" OR ")})`, params };
}

/**
 * Sales, refunds and revenue of each location over the range, highest revenue first; each location's days in its own
 * zone where it has one (`locationZones`), else in the range's.
 */
export async function locationTotals(target: FactsTarget, query: LocationsQuery): Promise<LocationFigures[]> {
  assertRange(query);
  const inRange = inRangeByZone(query);
  const rows = await selectRows<Row>(
    target,
    `SELECT location_id,
            countIf(type = 'sale') AS transactions,
            countIf(type = 'refund') AS refunds,
            sumIf(total, type = 'sale') - sumIf(total, type = 'refund') AS revenue
       FROM ${factTable(target, "transactions")} FINAL
      WHERE tenant_id = {tenant:String} AND ${inRange.condition}
      GROUP BY location_id
      ORDER BY revenue DESC, location_id`,
    { ...rangeParams(query), ...inRange.params },
  );
  return rows.map((r) => ({
    locationId: r.location_id,
    transactions: int(r.transactions),
    refunds: int(r.refunds),
    revenue: int(r.revenue),
  }));
}
