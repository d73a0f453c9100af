import { describe, expect, it } from "vitest";
import {
  behaviourProfile,
  quintileBoundaries,
  rfmOf,
  scoreHigherBetter,
  scoreLowerBetter,
  windowTotals,
} from "../src/index.ts";
import { DAY, NOW, sale } from "./fixtures.ts";

describe("RFM", () => {
  it("quintile boundaries are nearest-rank percentiles (values customers have)", () => {
    expect(quintileBoundaries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([2, 4, 6, 8]);
    expect(quintileBoundaries([5])).toEqual([5, 5, 5, 5]);
    expect(quintileBoundaries([3, 1, 2])).toEqual([1, 2, 2, 3]);
    expect(quintileBoundaries([])).toBeNull();
  });

  it("scores each fifth 1..5, 5 best: most orders and money, fewest days since the last", () => {
    const b = quintileBoundaries([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])!;
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => scoreHigherBetter(v, b))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((v) => scoreLowerBetter(v, b))).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    expect(scoreHigherBetter(1_000, b)).toBe(5);
    expect(scoreLowerBetter(0, b)).toBe(5);
  });

  it("measures from the 365-day window and the last order", () => {
    const facts = [sale(400, 9_999), sale(30, 1_000), sale(10, 500)];
    const boundaries = {
      recency: [2, 5, 20, 60],
      frequency: [1, 1, 2, 3],
      monetary: [500, 1_000, 2_000, 5_000],
    } as const;
    const rfm = rfmOf(windowTotals(facts, NOW), facts[2]!.occurredAt, NOW, {
      recency: [...boundaries.recency],
      frequency: [...boundaries.frequency],
      monetary: [...boundaries.monetary],
    });
    expect(rfm).toEqual({ recency: 10, frequency: 2, monetary: 1_500, scores: { r: 3, f: 3, m: 3 } });
  });

  it("no scores without an order in 365 days or without boundaries", () => {
    const facts = [sale(400, 100)];
    const b = { recency: [1, 2, 3, 4], frequency: [1, 2, 3, 4], monetary: [1, 2, 3, 4] } as never;
    expect(behaviourProfile(facts, NOW, b).rfm).toEqual({ recency: 400, frequency: 0, monetary: 0, scores: null });
    expect(behaviourProfile([sale(1, 100)], NOW, null).rfm.scores).toBeNull();
  });

  it("recency counts whole days", () => {
    const last = new Date(NOW.getTime() - DAY + 1);
    expect(rfmOf(windowTotals([], NOW), last, NOW, null).recency).toBe(0);
  });
});

describe("the whole profile", () => {
  it("an empty history is an empty profile", () => {
    expect(behaviourProfile([], NOW, null)).toEqual({
      asOf: NOW.toISOString(),
      windows: {
        d7: { orders: 0, value: 0 },
        d30: { orders: 0, value: 0 },
        d90: { orders: 0, value: 0 },
        d365: { orders: 0, value: 0 },
        lifetime: { orders: 0, value: 0 },
      },
      averageTicket: 0,
      firstOrderAt: null,
      lastOrderAt: null,
      locations: [],
      favouriteLocationId: null,
      affinities: [],
      preferredChannel: null,
      preferredDaypart: null,
      rfm: { recency: null, frequency: 0, monetary: 0, scores: null },
    });
  });
});
