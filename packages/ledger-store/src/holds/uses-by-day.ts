import type { UsageZones } from "@regulars/checkout";
import { Prisma } from "@regulars/db";
import { localDate } from "@regulars/rules";

/** When a checkout counts per-day limits, and in which zones (`usageDayOf`). */
export interface UsageClock extends UsageZones {
  at: Date;
}

/**
 * The uses of campaign `c` that `counted` (a condition on `u`) keeps, as a JSON count per day, over every day a use at
 * `clock.at` can count for (the tenant's date, the night before it, a location's zone either side): which day is the
 * coupon's depends on its hours (`usageDayOf`), known only once its config is read, in the same statement.
 */
export const usesByDay = (clock: UsageClock, counted: Prisma.Sql) => {
  const day = localDate(clock.at, clock.timezone);
  return Prisma.sql`(SELECT coalesce(json_object_agg(d.day, d.n), '{}'::json) FROM (
      SELECT u.local_day::text AS day, count(*) AS n FROM coupon_uses u
      WHERE u.campaign_id = c.id AND u.local_day BETWEEN ${day}::date - 2 AND ${day}::date + 1
        AND ${counted}
      GROUP BY u.local_day) d)`;
};
