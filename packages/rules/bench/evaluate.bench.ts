/**
 * Cost of one evaluateEarning call: a base-rate-only programme against a realistic full one.
 * Run with `pnpm --filter @regulars/rules bench`. A plain script, not a vitest test, so that
 * timing is not disturbed by the test runner.
 */
import { defaultProgramme, ProgrammeConfig } from "@regulars/contracts";
import { type CustomerState, type EarningInput, evaluateEarning } from "../src/index.ts";

const TZ = "Europe/Warsaw";
const WARMUP = 20_000;
const ITERATIONS = 200_000;

const full = ProgrammeConfig.parse({
  rules: [
    { id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 },
    { id: "no-alcohol", type: "exclusion", match: { categories: ["alcohol"], tags: ["alcohol"] } },
    { id: "tuesday-2x", type: "multiplier", factor: 2, weekdays: [2] },
    { id: "new-3x", type: "multiplier", factor: 3, products: { tags: ["new"] } },
    { id: "birthday-5x", type: "multiplier", factor: 5, birthday: true },
    { id: "app-bonus", type: "multiplier", factor: 1.5, stackable: true, channels: ["app"] },
    {
      id: "slabs",
      type: "slabs",
      slabs: [
        { minAmount: 10000, points: 1 },
        { minAmount: 20000, points: 4 },
        { minAmount: 30000, points: 8 },
      ],
    },
    { id: "beverages", type: "per_item", match: { categories: ["beverage"] }, pointsPerItem: 1 },
    { id: "snacks", type: "per_item", match: { categories: ["snack"] }, pointsPerItem: 2 },
    {
      id: "spring-visit",
      type: "per_visit",
      points: 5,
      minAmount: 2000,
      validFrom: "2025-03-01T00:00:00+01:00",
      validTo: "2025-06-01T00:00:00+02:00",
      priority: -1,
    },
  ],
  caps: { perTransaction: 500, perDay: 1000 },
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2 } },
    ],
  },
});

const input: EarningInput = {
  occurredAt: "2025-03-04T19:45:00+01:00", // a Tuesday evening
  channel: "kiosk",
  locationId: "warsaw-centrum",
  lines: [
    { sku: "BURGER", name: "Classic burger", category: "mains", tags: [], quantity: 1, unitPrice: 1450, discount: 0 },
    {
      sku: "VEGGIE-WRAP",
      name: "Veggie wrap",
      category: "mains",
      tags: ["new", "vegetarian"],
      quantity: 1,
      unitPrice: 1200,
      discount: 0,
    },
    { sku: "COLA", name: "Cola 0.5", category: "beverage", tags: [], quantity: 2, unitPrice: 300, discount: 0 },
    { sku: "NACHOS", name: "Nachos", category: "snack", tags: ["spicy"], quantity: 1, unitPrice: 650, discount: 200 },
    { sku: "BEER", name: "Lager 0.5", category: "alcohol", tags: [], quantity: 1, unitPrice: 900, discount: 0 },
  ],
};
const customer: CustomerState = { tier: "gold", dateOfBirth: "1990-06-15", earnedToday: 40 };

function measure(label: string, programme: ProgrammeConfig): void {
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += evaluateEarning(programme, input, customer, TZ).points;
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i++) sink += evaluateEarning(programme, input, customer, TZ).points;
  const ns = Number(process.hrtime.bigint() - start);
  const perCall = ns / ITERATIONS / 1000;
  const points = evaluateEarning(programme, input, customer, TZ).points;
  console.log(
    `${label.padEnd(28)} ${perCall.toFixed(2).padStart(7)} µs/evaluation  ${Math.round(1e6 / perCall)
      .toLocaleString("en-US")
      .padStart(10)} /s  (${points} points; sink ${sink})`,
  );
}

console.log(
  `evaluateEarning, ${input.lines.length} lines, ${ITERATIONS.toLocaleString("en-US")} iterations after ${WARMUP.toLocaleString("en-US")} warm-up, node ${process.version}`,
);
measure("base rate only", defaultProgramme);
measure(`full (${full.rules.length} rules, caps, tiers)`, full);
