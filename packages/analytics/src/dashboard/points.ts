import type { FactsTarget } from "../loyalty-events.ts";
import { occurredInRange, periodOfEvent, periodStarts, rangeParams, type SeriesRange } from "./range.ts";
import { factTable, fillPeriods, int, selectRows } from "./select.ts";

/**
 * Points per period, net of refunds: a refund counts in the period it happened in (the sale's period keeps what
 * it showed), so a day with refunds of earlier sales may earn less than nothing. Every figure of a period and of
 * the totals follows the same rule, and the totals are the sums of the periods.
 */
export interface PointsFigures {
  /**
   * Points given to customers (sales, bonuses, adjustments net of admins' take-backs; pending points included) less
   * `reversed`.
   */
  earned: number;
  /** Points refunds took back of what their sales had earned and of the rewards they gave (coupon, tier, stamp card). */
  reversed: number;
  /** Points spent less `returned`. */
  redeemed: number;
  /** Points refunds gave back of what their sales had spent. */
  returned: number;
  expired: number;
}

export interface PointsOverTime {
  periods: ({ period: string } & PointsFigures)[];
  totals: PointsFigures & {
    /** Redeemed ÷ earned over the range, both net of refunds; null when nothing was earned on balance. */
    redemptionRate: number | null;
  };
}

/**
 * Points a refund gives back (`reverse`) and points moved in from a merged account (`transfer_in`) arrive as
 * points.earned too, but nobody earned them: they are left out of "earned" so the redemption rate compares
 * points spent with points given. What a refund gives back counts as `returned` instead. An inactivity expiry taken
 * back (`expire` credited: a purchase made before it was uploaded after it) is netted out of "expired".
 */
export const notEarnedKinds = ["reverse", "transfer_in", "expire"] as const;
const kinds = notEarnedKinds.map((k) => `'${k}'`).join(", ");

// A refund's reversal of its sale's points publishes no loyalty event (the ledger posts it as a debit of kind
// `reverse`): the refund's transaction fact carries it as negative points. What it takes back of a reward the sale
// gave (a negative bonus) is a points.reversed; so is an admin's negative adjustment (kind `adjust`), which is no
// refund's: it nets off the points given instead. Aliases differ from column names, which ClickHouse would otherwise
// resolve to the alias inside aggregates.
interface Row {
  period: string;
  given: string;
  taken_back: string;
  spent: string;
  given_back: string;
  lapsed: string;
}

const zero: PointsFigures = { earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 };

/** Points earned, redeemed and expired per period of the range, net of refunds, in the range's time zone. */
export async function pointsOverTime(target: FactsTarget, range: SeriesRange): Promise<PointsOverTime> {
  const periods = periodStarts(range.from, range.to, range.granularity);
  const period = periodOfEvent[range.granularity];
  const rows = await selectRows<Row>(
    target,
    `SELECT toString(day) AS period, sum(gross_given) AS given, sum(gross_taken_back) AS taken_back,
            sum(gross_spent) AS spent, sum(gross_given_back) AS given_back, sum(gross_lapsed) AS lapsed
       FROM (
         SELECT ${period} AS day,
                multiIf(type = 'points.earned' AND movement_kind NOT IN (${kinds}), points,
                        type = 'points.reversed' AND movement_kind = 'adjust', -points, 0) AS gross_given,
                if(type = 'points.reversed' AND movement_kind != 'adjust', points, 0) AS gross_taken_back,
                if(type = 'points.redeemed', points, 0) AS gross_spent,
                if(type = 'points.earned' AND movement_kind = 'reverse', points, 0) AS gross_given_back,
                multiIf(type = 'points.expired', points, type = 'points.earned' AND movement_kind = 'expire', -points, 0) AS gross_lapsed
           FROM ${factTable(target, "loyalty_events")} FINAL
          WHERE tenant_id = {tenant:String}
            AND type IN ('points.earned', 'points.reversed', 'points.redeemed', 'points.expired')
            AND ${occurredInRange}
         UNION ALL
         SELECT ${period} AS day, toInt64(0), -points, toInt64(0), toInt64(0), toInt64(0)
           FROM ${factTable(target, "transactions")} FINAL
          WHERE tenant_id = {tenant:String} AND type = 'refund' AND ${occurredInRange}
       )
      GROUP BY day
      ORDER BY day`,
    rangeParams(range),
  );
  const series = fillPeriods(
    periods,
    rows,
    (r) => ({
      earned: int(r.given) - int(r.taken_back),
      reversed: int(r.taken_back),
      redeemed: int(r.spent) - int(r.given_back),
      returned: int(r.given_back),
      expired: int(r.lapsed),
    }),
    zero,
  );
  const totals = series.reduce(
    (sum, p) => ({
      earned: sum.earned + p.earned,
      reversed: sum.reversed + p.reversed,
      redeemed: sum.redeemed + p.redeemed,
      returned: sum.returned + p.returned,
      expired: sum.expired + p.expired,
    }),
    zero,
  );
  return {
    periods: series,
    totals: { ...totals, redemptionRate: totals.earned > 0 ? totals.redeemed / totals.earned : null },
  };
}
