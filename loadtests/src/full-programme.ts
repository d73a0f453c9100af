import { ProgrammeConfig } from "@regulars/contracts";

/** A busy but realistic programme: every rule type, caps, tiers, expiry, two stamp cards, milestones. */
export const fullProgramme: ProgrammeConfig = ProgrammeConfig.parse({
  rules: [
    { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 },
    { id: "double-tuesday", type: "multiplier", factor: 2, weekdays: [2] },
    { id: "new-dishes", type: "multiplier", factor: 3, products: { tags: ["new"] } },
    { id: "birthday", type: "multiplier", factor: 5, birthday: true },
    { id: "weekend-app", type: "multiplier", factor: 1.5, stackable: true, weekdays: [6, 7], channels: ["app"] },
    { id: "no-alcohol", type: "exclusion", match: { categories: ["alcohol"] } },
    { id: "beverages", type: "per_item", match: { categories: ["beverages"] }, pointsPerItem: 1 },
    { id: "snacks", type: "per_item", match: { categories: ["snacks"] }, pointsPerItem: 2 },
    { id: "big-baskets", type: "slabs", slabs: [{ minAmount: 2000, points: 1 }, { minAmount: 4000, points: 4 }, { minAmount: 6000, points: 8 }] },
    { id: "visit", type: "per_visit", points: 5, minAmount: 1500 },
    { id: "feedback", type: "action", event: "feedback_submitted", points: 15 },
  ],
  caps: { perTransaction: 500, perDay: 1000 },
  tiers: {
    basis: "points_earned",
    window: "rolling_12_months",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2, rewardPoints: 50 } },
    ],
  },
  expiry: { kind: "after_earning", months: 12, noticeDays: 14 },
  stampCards: [
    { id: "tenth-visit", name: "10th visit free", stampsRequired: 10, rewardPoints: 100 },
    { id: "coffee-card", name: "8 coffees", stampsRequired: 8, per: "item", match: { categories: ["beverages"] }, rewardPoints: 40 },
  ],
  milestones: [100, 500],
});
