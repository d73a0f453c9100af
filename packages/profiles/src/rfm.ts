import { daysMs } from "./facts.ts";
import type { Windows } from "./windows.ts";

/** The 20th, 40th, 60th and 80th percentiles of a measure over the tenant's active customers, ascending. */
export type Quintiles = [number, number, number, number];

export interface RfmBoundaries {
  recency: Quintiles;
  frequency: Quintiles;
  monetary: Quintiles;
}

export interface Rfm {
  /** Whole days since the last order; null without one. */
  recency: number | null;
  /** Orders in the last 365 days. */
  frequency: number;
  /** Net value in the last 365 days (minor units). */
  monetary: number;
  /** 1..5, 5 best; null when the customer had no order in 365 days or the tenant has no boundaries yet. */
  scores: { r: number; f: number; m: number } | null;
}

const QUINTILES = [0.2, 0.4, 0.6, 0.8] as const;

/**
 * Nearest-rank percentiles (`percentile_disc` in Postgres, the smallest value whose cumulative share reaches
 * p): each boundary is a value some customer has, so "at or below the 20% boundary" is exactly the lowest
 * fifth by rank however the values tie. Null for no values.
 */
export function quintileBoundaries(values: readonly number[]): Quintiles | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return QUINTILES.map((p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!) as Quintiles;
}

/** Boundaries strictly below the value: 0 when it sits in the lowest fifth, 4 in the highest. */
const fifthOf = (value: number, boundaries: Quintiles): number => boundaries.filter((b) => value > b).length;

/** More is better (frequency, monetary): the highest fifth scores 5. */
export const scoreHigherBetter = (value: number, boundaries: Quintiles): number => 1 + fifthOf(value, boundaries);
/** Less is better (recency in days): the most recent fifth scores 5. */
export const scoreLowerBetter = (value: number, boundaries: Quintiles): number => 5 - fifthOf(value, boundaries);

/** Whole days from `last` to `now`, floored (an order earlier today is 0 days ago); never negative. */
export const daysSince = (last: Date, now: Date): number =>
  Math.max(0, Math.floor((now.getTime() - last.getTime()) / daysMs(1)));

/** A customer's RFM measures from their windows and last order, scored against the tenant's boundaries. */
export function rfmOf(windows: Windows, lastOrderAt: Date | null, now: Date, boundaries: RfmBoundaries | null): Rfm {
  const recency = lastOrderAt ? daysSince(lastOrderAt, now) : null;
  const frequency = windows.d365.orders;
  const monetary = windows.d365.value;
  const scores =
    boundaries && frequency > 0 && recency !== null
      ? {
          r: scoreLowerBetter(recency, boundaries.recency),
          f: scoreHigherBetter(frequency, boundaries.frequency),
          m: scoreHigherBetter(monetary, boundaries.monetary),
        }
      : null;
  return { recency, frequency, monetary, scores };
}
