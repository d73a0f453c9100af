import { tierPeriodEnd, tierWindowStart } from "@regulars/rules";
import { base, programme, WARSAW } from "./fixtures.ts";

// Tiers on points earned per calendar year (Warsaw); no multiplier, so a sale earns the same whatever the tier and
// batching can only change what the tier is judged on. Gold pays 100 on reaching it.
export const yearly = programme({
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 100 } },
    ],
  },
});

// A December and the January after it, both long past whenever this runs.
export const year = new Date().getUTCFullYear() - 2;
export const december = (day: number) => `${year}-12-${String(day).padStart(2, "0")}T12:00:00+01:00`;
export const january = (day: number) => `${year + 1}-01-${String(day).padStart(2, "0")}T12:00:00+01:00`;

/** The window the store loads for a batch whose latest sale is `latest` (`loadLoyaltyStates`, calendar year). */
export const windowOf = (latest: string): { since: Date; until: Date } => ({
  since: tierWindowStart("calendar_year", latest, WARSAW)!,
  until: tierPeriodEnd("calendar_year", latest, WARSAW)!,
});
export const meal = (points: number) => [{ sku: "meal", unitPrice: points * 100 }];
