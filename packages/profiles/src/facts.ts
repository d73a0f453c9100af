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
}

const DAY_MS = 86_400_000;
export const daysMs = (days: number): number => days * DAY_MS;

/** Facts as of `now`: a transaction dated after `now` (a till's clock ahead) has not happened yet. */
export const factsAsOf = (facts: readonly OrderFact[], now: Date): OrderFact[] =>
  facts.filter((f) => f.occurredAt.getTime() <= now.getTime());
