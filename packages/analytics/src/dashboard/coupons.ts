import type { FactsTarget } from "../loyalty-events.ts";
import { occurredInRange, periodOfEvent, periodStarts, rangeParams, type SeriesRange } from "./range.ts";
import { factTable, fillPeriods, int, selectRows } from "./select.ts";

export interface CouponFigures {
  /** Coupons put into customers' wallets. */
  issued: number;
  /**
   * Coupon uses on members' sales (wallet coupons and typed codes alike). A code used on a sale without a
   * customer counts against its limits in Postgres but publishes no coupon.redeemed, and the sale's fact does
   * not name its codes: ClickHouse holds no trace of that use, so it is not here.
   */
  redeemed: number;
  /** Uses given back by the refund of their sale, counted when the refund happened. */
  returned: number;
  /** Discount granted by the uses of the period, minor units. */
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
  const rows = await selectRows<Row>(
    target,
    `SELECT toString(${periodOfEvent[range.granularity]}) AS period,
            countIf(type = 'coupon.issued') AS issued_count,
            countIf(type = 'coupon.redeemed' AND NOT returned) AS redeemed_count,
            countIf(type = 'coupon.redeemed' AND returned) AS returned_count,
            sumIf(discount, type = 'coupon.redeemed' AND NOT returned) AS discount_total
       FROM ${factTable(target, "loyalty_events")} FINAL
      WHERE tenant_id = {tenant:String}
        AND type IN ('coupon.issued', 'coupon.redeemed')
        AND ${occurredInRange}
      GROUP BY period
      ORDER BY period`,
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
