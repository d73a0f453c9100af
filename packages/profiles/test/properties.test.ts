import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DAYPARTS,
  daypartOf,
  type OrderFact,
  quintileBoundaries,
  scoreHigherBetter,
  scoreLowerBetter,
  tagAffinities,
  windowTotals,
} from "../src/index.ts";
import { DAY, NOW } from "./fixtures.ts";

const runs = { numRuns: 300 };
const factArb: fc.Arbitrary<OrderFact> = fc
  .record({
    transactionId: fc.uuid(),
    kind: fc.constantFrom("sale" as const, "refund" as const),
    occurredAt: fc.integer({ min: -800 * DAY, max: DAY }).map((offset) => new Date(NOW.getTime() + offset)),
    value: fc.integer({ min: 0, max: 100_000 }),
    locationId: fc.constantFrom("a", "b", "c"),
    channel: fc.constantFrom("pos", "kiosk", "app"),
    daypart: fc.constantFrom(...DAYPARTS),
    itemCount: fc.integer({ min: 1, max: 20 }),
    tagQuantities: fc.dictionary(fc.constantFrom("vegetarian", "spicy", "alcohol"), fc.integer({ min: 0, max: 20 })),
  })
  .map((f) => ({
    ...f,
    // A tag is carried by at most every item of the transaction.
    tagQuantities: Object.fromEntries(Object.entries(f.tagQuantities).map(([t, q]) => [t, Math.min(q, f.itemCount)])),
  }));
const factsArb = fc.array(factArb, { maxLength: 40 });

describe("profile properties", () => {
  it("windows nest: d7 ⊆ d30 ⊆ d90 ⊆ d365 ⊆ lifetime in orders; counts are the sales in each", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const w = windowTotals(facts, NOW);
        const counts = [w.d7, w.d30, w.d90, w.d365, w.lifetime].map((x) => x.orders);
        expect(counts).toEqual([...counts].sort((a, b) => a - b));
        const sales = facts.filter((f) => f.kind === "sale" && f.occurredAt <= NOW);
        expect(w.lifetime.orders).toBe(sales.length);
      }),
      runs,
    );
  });

  it("refunds never change counts; order of facts never matters", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const salesOnly = facts.filter((f) => f.kind === "sale");
        const all = windowTotals(facts, NOW);
        const sales = windowTotals(salesOnly, NOW);
        for (const name of ["d7", "d30", "d90", "d365", "lifetime"] as const)
          expect(all[name].orders).toBe(sales[name].orders);
        expect(windowTotals([...facts].reverse(), NOW)).toEqual(all);
        expect(tagAffinities([...facts].reverse(), NOW)).toEqual(tagAffinities(facts, NOW));
      }),
      runs,
    );
  });

  it("with no new facts, moving the clock forward never adds orders to a window, and lifetime stays", () => {
    fc.assert(
      fc.property(factsArb, fc.integer({ min: 1, max: 400 * 24 }), (facts, hours) => {
        const past = facts.filter((f) => f.occurredAt <= NOW);
        const before = windowTotals(past, NOW);
        const after = windowTotals(past, new Date(NOW.getTime() + hours * 3_600_000));
        for (const name of ["d7", "d30", "d90", "d365"] as const)
          expect(after[name].orders).toBeLessThanOrEqual(before[name].orders);
        expect(after.lifetime).toEqual(before.lifetime);
      }),
      runs,
    );
  });

  it("affinities are shares in [0, 1], highest first", () => {
    fc.assert(
      fc.property(factsArb, (facts) => {
        const shares = tagAffinities(facts, NOW).map((a) => a.share);
        for (const s of shares) expect(s >= 0 && s <= 1).toBe(true);
        expect(shares).toEqual([...shares].sort((a, b) => b - a));
      }),
      runs,
    );
  });

  it("scores are 1..5, monotone in the value, and each fifth by rank scores its own", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 200 }), (values) => {
        const b = quintileBoundaries(values)!;
        expect(b).toEqual([...b].sort((x, y) => x - y));
        const sorted = [...values].sort((x, y) => x - y);
        let previous = 1;
        for (const v of sorted) {
          const score = scoreHigherBetter(v, b);
          expect(score).toBeGreaterThanOrEqual(previous);
          expect(score + scoreLowerBetter(v, b)).toBe(6);
          previous = score;
        }
        // The lowest value scores 1 and nobody in the lowest fifth by rank scores more.
        expect(scoreHigherBetter(sorted[0]!, b)).toBe(1);
        expect(scoreHigherBetter(sorted[Math.ceil(0.2 * sorted.length) - 1]!, b)).toBe(1);
      }),
      runs,
    );
  });

  it("every instant has exactly one daypart in any zone", () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2026-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.constantFrom("UTC", "Europe/Warsaw", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"),
        (instant, zone) => {
          expect(DAYPARTS).toContain(daypartOf(instant, zone));
        },
      ),
      runs,
    );
  });
});
