import { describe, expect, it } from "vitest";
import { conversionUplift, messageRates, rate } from "../src/index.ts";

describe("results", () => {
  it("rates over counts; null where nothing was there to count", () => {
    const counts = { reached: 900, sent: 1_000, attempted: 1_000, delivered: 950, opened: 190, clicked: 38 };
    expect(messageRates({ ...counts, failed: 50, cancelled: 20 })).toEqual({
      deliveryRate: 0.95,
      openRate: 0.2,
      clickRate: 0.04,
      clickToOpenRate: 0.2,
      failureRate: 0.05,
    });
    const none = { reached: 0, sent: 0, attempted: 0, delivered: 0, opened: 0, clicked: 0, failed: 0, cancelled: 0 };
    expect(messageRates(none)).toEqual({
      deliveryRate: null,
      openRate: null,
      clickRate: null,
      clickToOpenRate: null,
      failureRate: null,
    });
    expect(rate(1, 0)).toBeNull();
  });

  it("failures per attempt: a refused message was attempted but not sent, a cancelled one neither", () => {
    // One delivered, one refused by the provider, three cancelled before they went (consent, caps, campaign ended).
    const counts = { reached: 5, sent: 1, attempted: 2, delivered: 1, opened: 0, clicked: 0, failed: 1, cancelled: 3 };
    expect(messageRates(counts).failureRate).toBe(0.5);
    expect(messageRates({ ...counts, attempted: 1, failed: 0 }).failureRate).toBe(0);
  });

  it("conversion against the control group: absolute and relative uplift, incremental buyers, z", () => {
    const u = conversionUplift({ customers: 9_000, converted: 1_080 }, { customers: 1_000, converted: 90 });
    expect(u.treatedRate).toBeCloseTo(0.12, 12);
    expect(u.controlRate).toBeCloseTo(0.09, 12);
    expect(u.absoluteUplift).toBeCloseTo(0.03, 12);
    expect(u.relativeUplift).toBeCloseTo(1 / 3, 12);
    expect(u.incrementalConversions).toBe(270);
    // pooled p = 0.117, se = sqrt(p(1−p)(1/9000 + 1/1000)) ≈ 0.010714
    expect(u.zScore).toBeCloseTo(2.8, 1);
  });

  it("a campaign that does worse than doing nothing shows a negative uplift", () => {
    const u = conversionUplift({ customers: 100, converted: 5 }, { customers: 100, converted: 10 });
    expect(u.absoluteUplift).toBeCloseTo(-0.05, 12);
    expect(u.incrementalConversions).toBe(-5);
    expect(u.zScore).toBeLessThan(0);
  });

  it("without a control group (or without a treated group) there is no uplift", () => {
    const u = conversionUplift({ customers: 100, converted: 5 }, { customers: 0, converted: 0 });
    expect(u).toEqual({
      treatedRate: 0.05,
      controlRate: null,
      absoluteUplift: null,
      relativeUplift: null,
      incrementalConversions: null,
      zScore: null,
    });
  });

  it("a control group that never converted: no relative uplift, and no z when nobody converted at all", () => {
    expect(
      conversionUplift({ customers: 100, converted: 3 }, { customers: 20, converted: 0 }).relativeUplift,
    ).toBeNull();
    expect(conversionUplift({ customers: 100, converted: 0 }, { customers: 20, converted: 0 }).zScore).toBeNull();
  });
});
