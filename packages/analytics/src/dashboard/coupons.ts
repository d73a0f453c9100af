import type { FactsTarget } from "../loyalty-events.ts";
import { occurredInRange, periodOfEvent, periodStarts, rangeParams, type SeriesRange } from "./range.ts";
import { factTable, fillPeriods, int, selectRows } from "./select.ts";

export interface CouponFigures {
  /** Coupons put into customers' wallets. */
  issued: number;
  /**
   * Coupon uses on sales (wallet coupons and typed codes alike), members' and anonymous: a member's use is its
   * coupon.redeemed; a sale without a customer publishes none, so its uses are read from the sale's fact
   * (`coupon_codes`, stored since migration 0007: earlier anonymous uses left no trace and are not here).
   */
  redeemed: number;
  /**
   * Uses given back by the refund of their sale (members' by their coupon.redeemed, anonymous ones by the refund's
   * fact), counted when the refund happened.
   */
  returned: number;
  /** Discount granted by the uses of the period (members' and anonymous), minor units. */
  discount: number;
}

export interface CouponsOverTime {
  periods: ({ period: string } & CouponFigures)[];
  totals: CouponFigures;
}

// Aliases differ from column names: ClickHouse would read `returned` inside countIf as the alias.
interface Row {
  period: string;
  issued_count: string;
  redeemed_count: string;
  returned_count: string;
  discount_total: string;
}

/** Coupons issued, redeemed and returned per period of the range, in the range's time zone. */
export async function couponsOverTime(target: FactsTarget, range: SeriesRange): Promise<CouponsOverTime> {
  const periods = periodStarts(range.from, range.to, range.granularity);
  const period = periodOfEvent[range.granularity];
  // Members' uses come from their events alone: a member's sale or refund names its uses too, and would count them
  // twice. Anonymous ones come from the transactions: a sale's uses, and those its refund gave back.
  const rows = await selectRows<Row>(
    target,
    `SELECT toString(day) AS period, sum(issued_uses) AS issued_count, sum(redeemed_uses) AS redeemed_count,
            sum(returned_uses) AS returned_count, sum(discount_given) AS discount_total
       FROM (
         SELECT ${period} AS day,
                countIf(type = 'coupon.issued') AS issued_uses,
                countIf(type = 'coupon.redeemed' AND NOT returned) AS redeemed_uses,
                countIf(type = 'coupon.redeemed' AND returned) AS returned_uses,
                sumIf(discount, type = 'coupon.redeemed' AND NOT returned) AS discount_given
           FROM ${factTable(target, "loyalty_events")} FINAL
          WHERE tenant_id = {tenant:String}
            AND type IN ('coupon.issued', 'coupon.redeemed')
            AND ${occurredInRange}
          GROUP BY day
         UNION ALL
         SELECT ${period} AS day, toUInt64(0),
                toUInt64(sumIf(length(coupon_codes), type = 'sale')),
                toUInt64(sumIf(length(coupon_codes), type = 'refund')),
                sumIf(arraySum(coupon_discounts), type = 'sale')
           FROM ${factTable(target, "transactions")} FINAL
          WHERE tenant_id = {tenant:String} AND customer_id = '' AND notEmpty(coupon_codes)
            AND ${occurredInRange}
          GROUP BY day
       )
      GROUP BY day
      ORDER BY day`,
    rangeParams(range),
  );
  const zero: CouponFigures = { issued: 0, redeemed: 0, returned: 0, discount: 0 };
  const series = fillPeriods(
    periods,
    rows,
    (r) => ({
      issued: int(r.issued_count),
      redeemed: int(r.redeemed_count),
      returned: int(r.returned_count),
      discount: int(r.discount_total),
    }),
    zero,
  );
  const totals = series.reduce(
    (sum, p) => ({
      issued: sum.issued + p.issued,
      redeemed: sum.redeemed + p.redeemed,
      returned: sum.returned + p.returned,
      discount: sum.discount + p.discount,
    }),
    zero,
  );
  return { periods: series, totals };
}
