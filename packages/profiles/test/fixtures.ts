import type { OrderFact } from "../src/index.ts";

export const DAY = 86_400_000;
/** A fixed instant: these tests are pure, no clock is read. */
export const NOW = new Date("2026-06-15T12:00:00.000Z");
export const daysBefore = (days: number, from = NOW) => new Date(from.getTime() - days * DAY);

let serial = 0;
export function sale(daysAgo: number, value: number, extra: Partial<OrderFact> = {}): OrderFact {
  return {
    transactionId: `tx_${++serial}`,
    kind: "sale",
    occurredAt: daysBefore(daysAgo),
    value,
    locationId: "store-a",
    channel: "kiosk",
    daypart: "lunch",
    itemCount: 1,
    tagQuantities: {},
    ...extra,
  };
}
export const refund = (daysAgo: number, value: number, extra: Partial<OrderFact> = {}): OrderFact =>
  sale(daysAgo, value, { kind: "refund", itemCount: 0, ...extra });
