import type { Daypart } from "./daypart.ts";

/**
 * What one processed transaction of a customer contributes to the behavioural profile: the row the store
 * keeps per counted transaction. Windows are computed from these facts at read time, so they roll with the
 * clock rather than only moving when a new order arrives.
 */
export interface OrderFact {
  transactionId: string;
  kind: "sale" | "refund";
  occurredAt: Date;
  /** What was paid (the transaction's `total`, minor units); a refund's is what it gave back, also ≥ 0. */
  value: number;
  locationId: string;
  channel: string;
  /** The daypart of `occurredAt` on the till's clock (the location's zone, else the tenant's) when written. */
  daypart: Daypart;
  /** Σ quantity of the transaction's lines. */
  itemCount: number;
  /** Per tag, Σ quantity of the lines carrying it (a line naming a tag twice counts once). */
  tagQuantities: Record<string, number>;
  /**
   * The sale was voided by its refunds (they took back all its money, or named every line of a sale paid without
   * money), or this refund is one of such a sale's: no order, and neither's value counts. Absent: false.
   */
  voided?: boolean;
}

const DAY_MS = 86_400_000;
export const daysMs = (days: number): number => days * DAY_MS;

/** Facts as of `now`: a transaction dated after `now` (a till's clock ahead) has not happened yet. */
export const factsAsOf = (facts: readonly OrderFact[], now: Date): OrderFact[] =>
  facts.filter((f) => f.occurredAt.getTime() <= now.getTime());

/**
 * The facts of orders as of `now`: a voided sale never was one, and the refunds that voided it gave back nothing the
 * customer kept, so both leave counts, values, dates and habits alike (a sale voided a month later leaves no negative
 * value in the last 30 days, nor an order in the last 90).
 */
export const orderFactsAsOf = (facts: readonly OrderFact[], now: Date): OrderFact[] =>
  factsAsOf(facts, now).filter((f) => !f.voided);
