import { daysMs, type OrderFact, orderFactsAsOf } from "./facts.ts";

export const WINDOW_DAYS = { d7: 7, d30: 30, d90: 90, d365: 365 } as const;
export type WindowName = keyof typeof WINDOW_DAYS | "lifetime";

/** Orders (sales) and net value (sales − refunds, minor units) in one window. */
export interface WindowTotals {
  orders: number;
  value: number;
}
export type Windows = Record<WindowName, WindowTotals>;

const empty = (): WindowTotals => ({ orders: 0, value: 0 });

/**
 * Order count and value per window as of `now`: a fact counts in the last N days when
 * `now − N days < occurredAt <= now`, and in lifetime when `occurredAt <= now`. A sale adds an order and its
 * value; a refund subtracts its value in the window of its own `occurredAt` and never changes a count. A voided
 * sale and its refunds count nowhere (`orderFactsAsOf`).
 */
export function windowTotals(facts: readonly OrderFact[], now: Date): Windows {
  const windows: Windows = { d7: empty(), d30: empty(), d90: empty(), d365: empty(), lifetime: empty() };
  const nowMs = now.getTime();
  for (const fact of orderFactsAsOf(facts, now)) {
    const age = nowMs - fact.occurredAt.getTime();
    const add = (w: WindowTotals) => {
      if (fact.kind === "sale") {
        w.orders += 1;
        w.value += fact.value;
      } else w.value -= fact.value;
    };
    add(windows.lifetime);
    for (const [name, days] of Object.entries(WINDOW_DAYS) as [keyof typeof WINDOW_DAYS, number][])
      if (age < daysMs(days)) add(windows[name]);
  }
  return windows;
}

/** Lifetime value / lifetime orders, floored to whole minor units; 0 without orders. */
export const averageTicket = (lifetime: WindowTotals): number =>
  lifetime.orders > 0 ? Math.floor(lifetime.value / lifetime.orders) : 0;

/** First and last sale as of `now` (refunds and voided sales are not orders). */
export function orderSpan(facts: readonly OrderFact[], now: Date): { first: Date | null; last: Date | null } {
  let first: Date | null = null;
  let last: Date | null = null;
  for (const fact of orderFactsAsOf(facts, now)) {
    if (fact.kind !== "sale") continue;
    if (!first || fact.occurredAt < first) first = fact.occurredAt;
    if (!last || fact.occurredAt > last) last = fact.occurredAt;
  }
  return { first, last };
}
