/**
 * A campaign's results as arithmetic over counts (the store counts in ClickHouse). Every rate is null when
 * its denominator is 0: "no message delivered" is not a 0% open rate, and a chart must show a gap, not a dip.
 */

export interface MessageCounts {
  /** Customers who got at least one step run (not held out, not skipped). */
  reached: number;
  /** Messages the provider took. */
  sent: number;
  /** Messages handed to the provider, whether it took them or refused them: what a failure rate is out of. */
  attempted: number;
  delivered: number;
  opened: number;
  clicked: number;
  /** Attempted messages that did not arrive: the provider refused them, or they bounced after it took them. */
  failed: number;
  /**
   * Messages that never went, so neither sent nor failed: consent withdrawn, no address, caps used, the campaign
   * ended. A marketer reads these as the audience shrinking, not as a delivery problem.
   */
  cancelled: number;
}

export interface MessageRates {
  deliveryRate: number | null;
  openRate: number | null;
  clickRate: number | null;
  clickToOpenRate: number | null;
  failureRate: number | null;
}

export const rate = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * Delivered per sent; opened and clicked per delivered (what reached a device); clicks per open; failed per
 * attempted (a cancelled message was never attempted, so it is no failure: it would push the rate over 100%).
 */
export function messageRates(c: MessageCounts): MessageRates {
  return {
    deliveryRate: rate(c.delivered, c.sent),
    openRate: rate(c.opened, c.delivered),
    clickRate: rate(c.clicked, c.delivered),
    clickToOpenRate: rate(c.clicked, c.opened),
    failureRate: rate(c.failed, c.attempted),
  };
}

/** Customers in a group and how many of them bought within the conversion window. */
export interface GroupConversions {
  customers: number;
  converted: number;
}

export interface Uplift {
  treatedRate: number | null;
  controlRate: number | null;
  /** Treated rate − control rate, in rate units (0.03 is three percentage points). */
  absoluteUplift: number | null;
  /** Absolute uplift ÷ control rate; null when the control group never converted. */
  relativeUplift: number | null;
  /** Conversions the campaign caused: treated customers × absolute uplift, rounded. */
  incrementalConversions: number | null;
  /** Two-proportion z statistic (pooled); |z| ≥ 1.96 is significant at 95%. Null without both groups. */
  zScore: number | null;
}

/**
 * Conversion (a purchase within N days of the step's time) of the treated group against the control group.
 * The control group's clock starts when its message would have gone, so both groups get the same window.
 */
export function conversionUplift(treated: GroupConversions, control: GroupConversions): Uplift {
  const treatedRate = rate(treated.converted, treated.customers);
  const controlRate = rate(control.converted, control.customers);
  if (treatedRate === null || controlRate === null)
    return {
      treatedRate,
      controlRate,
      absoluteUplift: null,
      relativeUplift: null,
      incrementalConversions: null,
      zScore: null,
    };
  const absoluteUplift = treatedRate - controlRate;
  const pooled = (treated.converted + control.converted) / (treated.customers + control.customers);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / treated.customers + 1 / control.customers));
  return {
    treatedRate,
    controlRate,
    absoluteUplift,
    relativeUplift: controlRate > 0 ? absoluteUplift / controlRate : null,
    incrementalConversions: Math.round(absoluteUplift * treated.customers),
    zScore: standardError > 0 ? absoluteUplift / standardError : null,
  };
}
