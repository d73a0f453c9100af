import type { ProgrammeConfig } from "@regulars/contracts";
import fc from "fast-check";
import type { BasketLine, CustomerState, EarningInput } from "../src/index.ts";
import { programme, tiers } from "./fixtures.ts";

/** Random but schema-valid programmes, baskets and customers over a small shared vocabulary. */

export const SKUS = ["BURGER", "FRIES", "COLA", "BEER", "WRAP", "SALAD"];
export const CATEGORIES = ["mains", "sides", "beverage", "alcohol", "snack"];
export const TAGS = ["new", "vegetarian", "alcohol", "spicy", "low-margin"];
export const ZONES = ["Europe/Warsaw", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"];
const CHANNELS = ["kiosk", "pos", "app", "web", "delivery"] as const;
const LOCATIONS = ["warsaw-centrum", "krakow-rynek", "gdansk-port"];

const match = fc
  .record({ skus: fc.subarray(SKUS), categories: fc.subarray(CATEGORIES), tags: fc.subarray(TAGS) })
  .filter((m) => m.skus.length + m.categories.length + m.tags.length > 0);

export const lineMatchArb = match;

/** Mostly unset, as in real programmes: set filters are rare, so most rules do apply. */
const rarely = <T>(arb: fc.Arbitrary<T>, unset: T) =>
  fc.oneof({ arbitrary: fc.constant(unset), weight: 4 }, { arbitrary: arb, weight: 1 });

const window = rarely<{ validFrom: string; validTo: string } | undefined>(
  fc.tuple(fc.integer({ min: 0, max: 4 * 365 }), fc.integer({ min: 1, max: 400 })).map(([fromDay, days]) => {
    const from = Date.UTC(2024, 0, 1) + fromDay * 86_400_000;
    return { validFrom: new Date(from).toISOString(), validTo: new Date(from + days * 86_400_000).toISOString() };
  }),
  undefined,
);

const filters = fc.record({
  enabled: fc.integer({ min: 0, max: 9 }).map((n) => n > 0),
  priority: fc.integer({ min: -3, max: 3 }),
  stopProcessing: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  channels: rarely(fc.subarray<string>([...CHANNELS]), []),
  locations: rarely(fc.subarray(LOCATIONS), []),
  tiers: rarely(fc.subarray(["bronze", "silver", "gold"]), []),
  minBasket: rarely(fc.integer({ min: 0, max: 20000 }), 0),
  window,
});

const ruleParts = fc.tuple(
  filters,
  fc.oneof(
    fc.record(
      {
        type: fc.constant("base_rate"),
        pointsPerUnit: fc.integer({ min: 1, max: 3 }),
        unitMinor: fc.constantFrom(100, 50, 300, 1000),
        match,
      },
      { requiredKeys: ["type", "pointsPerUnit", "unitMinor"] },
    ),
    fc.record({
      type: fc.constant("slabs"),
      slabs: fc.array(
        fc.record({ minAmount: fc.integer({ min: 0, max: 30000 }), points: fc.integer({ min: 0, max: 20 }) }),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    fc.record({ type: fc.constant("per_item"), match, pointsPerItem: fc.integer({ min: 1, max: 5 }) }),
    fc.record({
      type: fc.constant("per_visit"),
      points: fc.integer({ min: 1, max: 50 }),
      minAmount: fc.integer({ min: 0, max: 5000 }),
    }),
    fc.record(
      {
        type: fc.constant("multiplier"),
        factor: fc.constantFrom(0.5, 1.5, 2, 3, 5),
        stackable: fc.boolean(),
        weekdays: fc.subarray([1, 2, 3, 4, 5, 6, 7]),
        birthday: fc.boolean(),
        products: match,
      },
      { requiredKeys: ["type", "factor", "stackable", "weekdays", "birthday"] },
    ),
    fc.record({
      type: fc.constant("exclusion"),
      match: match
        .map((m) => ({
          ...m,
          skus: m.skus.slice(0, 1),
          categories: m.categories.slice(0, 1),
          tags: m.tags.slice(0, 1),
        }))
        .filter((m) => m.skus.length + m.categories.length + m.tags.length > 0),
    }),
  ),
);

/** A rule's raw config (as an admin would save it) without its id. */
export const ruleArb: fc.Arbitrary<Record<string, unknown>> = ruleParts.map(([{ window: w, ...f }, body]) => ({
  ...f,
  ...(w ?? {}),
  ...body,
}));

export const programmeArb: fc.Arbitrary<ProgrammeConfig> = fc
  .record({
    rules: fc.array(ruleArb, { maxLength: 10 }),
    perTransaction: rarely<number | undefined>(fc.integer({ min: 1, max: 200 }), undefined),
    perDay: rarely<number | undefined>(fc.integer({ min: 1, max: 500 }), undefined),
    goldMultiplier: fc.option(fc.constantFrom(1.5, 2, 3), { nil: undefined }),
  })
  .map(({ rules, perTransaction, perDay, goldMultiplier }) =>
    programme({
      rules: rules.map((r, i) => ({ id: `r${i}`, ...r })),
      caps: { perTransaction, perDay },
      tiers: {
        ...tiers,
        levels: tiers.levels.map((l) =>
          l.id === "gold" && goldMultiplier ? { ...l, benefits: { earnMultiplier: goldMultiplier } } : l,
        ),
      },
    }),
  );

export const lineArb: fc.Arbitrary<BasketLine> = fc
  .record({
    sku: fc.constantFrom(...SKUS),
    category: fc.option(fc.constantFrom(...CATEGORIES), { nil: null }),
    tags: fc.subarray(TAGS),
    quantity: fc.integer({ min: 1, max: 5 }),
    unitPrice: fc.integer({ min: 0, max: 5000 }),
    discountShare: fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  })
  .map(({ discountShare, ...l }) => ({ ...l, discount: Math.floor(l.quantity * l.unitPrice * discountShare) }));

export const inputArb: fc.Arbitrary<EarningInput> = fc.record({
  occurredAt: fc
    .date({ min: new Date("2024-01-01T00:00:00Z"), max: new Date("2028-12-31T00:00:00Z"), noInvalidDate: true })
    .map((d) => d.toISOString()),
  channel: fc.constantFrom(...CHANNELS),
  locationId: fc.constantFrom(...LOCATIONS),
  lines: fc.array(lineArb, { minLength: 1, maxLength: 6 }),
});

export const customerArb: fc.Arbitrary<CustomerState> = fc.record({
  tier: fc.constantFrom(null, "bronze", "silver", "gold"),
  dateOfBirth: fc.constantFrom(null, "1990-06-15", "2000-02-29", "1985-01-01"),
  earnedToday: rarely(fc.integer({ min: 0, max: 600 }), 0),
});
