import { ProgrammeConfig } from "@regulars/contracts";
import type { BasketLine, CustomerState, EarningInput } from "../src/index.ts";

export const WARSAW = "Europe/Warsaw";

/** Parsed through the real schema, so tests use the defaults and validation production uses. */
export const programme = (config: Record<string, unknown>): ProgrammeConfig => ProgrammeConfig.parse(config);

export const base = { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 } as const;
export const noAlcohol = {
  id: "no-alcohol",
  type: "exclusion",
  match: { categories: ["alcohol"], tags: ["alcohol"] },
} as const;
export const tuesdayDouble = { id: "tuesday-2x", type: "multiplier", factor: 2, weekdays: [2] } as const;
export const newDishes3x = { id: "new-3x", type: "multiplier", factor: 3, products: { tags: ["new"] } } as const;
export const birthday5x = { id: "birthday-5x", type: "multiplier", factor: 5, birthday: true } as const;

export const tiers = {
  basis: "points_earned",
  window: "calendar_year",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200, benefits: { discountPercent: 5 } },
    { id: "gold", name: "Gold", threshold: 500, benefits: { flags: ["free_delivery", "priority"] } },
  ],
} as const;

export const line = (sku: string, unitPrice: number, more: Partial<BasketLine> = {}): BasketLine => ({
  sku,
  name: sku,
  category: null,
  tags: [],
  quantity: 1,
  unitPrice,
  discount: 0,
  ...more,
});

/** Wednesday 2025-03-05 12:00 in Warsaw: no weekday promotion applies unless a test picks another day. */
export const WEDNESDAY = "2025-03-05T12:00:00+01:00";

export const sale = (lines: BasketLine[], more: Partial<EarningInput> = {}): EarningInput => ({
  occurredAt: WEDNESDAY,
  channel: "kiosk",
  locationId: "warsaw-centrum",
  lines,
  ...more,
});

export const member = (more: Partial<CustomerState> = {}): CustomerState => ({
  tier: "bronze",
  dateOfBirth: "1990-06-15",
  earnedToday: 0,
  ...more,
});
