import type { FactsTarget } from "../loyalty-events.ts";
import { occurredInRange, periodOfEvent, periodStarts, rangeParams, type SeriesRange } from "./range.ts";
import { factTable, fillPeriods, int, selectRows } from "./select.ts";

export interface PointsFigures {
  /** Points given to customers: for sales, bonuses and adjustments (pending points included, when earned). */
  earned: number;
  redeemed: number;
  expired: number;
}

export interface PointsOverTime {
  periods: ({ period: string } & PointsFigures)[];
  totals: PointsFigures & {
    /** Redeemed ÷ earned over the range; null when nothing was earned. */
    redemptionRate: number | null;
  };
}

/**
 * Points a refund gives back (`reverse`) and points moved in from a merged account (`transfer_in`) arrive as
 * points.earned too, but nobody earned them: they are left out of "earned" so the redemption rate compares
 * points spent with points given.
 */
export const notEarnedKinds = ["reverse", "transfer_in"] as const;
const earned = `type = 'points.earned' AND movement_kind NOT IN (${notEarnedKinds.map((k) => `'${k}'`).join(", ")})`;

interface Row {
  period: string;
  earned: string;
  redeemed: string;
  expired: string;
}

/** Points earned, redeemed and expired per period of the range, in the range's time zone. */
export async function pointsOverTime(target: FactsTarget, range: SeriesRange): Promise<PointsOverTime> {
  const periods = periodStarts(range.from, range.to, range.granularity);
  const rows = await selectRows<Row>(
    target,
    `SELECT toString(${periodOfEvent[range.granularity]}) AS period,
            sumIf(points, ${earned}) AS earned,
            sumIf(points, type = 'points.redeemed') AS redeemed,
            sumIf(points, type = 'points.expired') AS expired
       FROM ${factTable(target, "loyalty_events")} FINAL
      WHERE tenant_id = {tenant:String}
        AND type IN ('points.earned', 'points.redeemed', 'points.expired')
        AND ${occurredInRange}
      GROUP BY period
      ORDER BY period`,
    rangeParams(range),
  );
  const series = fillPeriods(
    periods,
    rows,
    (r) => ({ earned: int(r.earned), redeemed: int(r.redeemed), expired: int(r.expired) }),
    { earned: 0, redeemed: 0, expired: 0 },
  );
  const totals = series.reduce(
    (sum, p) => ({
      earned: sum.earned + p.earned,
      redeemed: sum.redeemed + p.redeemed,
      expired: sum.expired + p.expired,
    }),
    { earned: 0, redeemed: 0, expired: 0 },
  );
  return {
    periods: series,
    totals: { ...totals, redemptionRate: totals.earned > 0 ? totals.redeemed / totals.earned : null },
  };
}
