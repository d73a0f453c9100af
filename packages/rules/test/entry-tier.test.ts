import { describe, expect, it } from "vitest";
import { evaluateEarning } from "../src/index.ts";
import { base, line, member, programme, sale, tiers, WARSAW } from "./fixtures.ts";

// Bronze is 0-199 points: a member the ledger has not placed in a tier yet (first sale, or tiers introduced
// after they joined) holds the entry level, so its rules and earning rate apply to them too.
describe("a member without a tier yet earns as the entry tier", () => {
  const withBronzeBenefits = programme({
    rules: [base, { id: "bronze-visit", type: "per_visit", points: 7, tiers: ["bronze"] }],
    tiers: {
      ...tiers,
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0, benefits: { earnMultiplier: 2 } },
        ...tiers.levels.slice(1),
      ],
    },
  });

  it("applies entry-tier rules and the entry tier's multiplier", () => {
    const r = evaluateEarning(withBronzeBenefits, sale([line("burger", 1000)]), member({ tier: null }), WARSAW);
    expect(r.points).toBe(10 * 2 + 7);
    const held = evaluateEarning(withBronzeBenefits, sale([line("burger", 1000)]), member({ tier: "bronze" }), WARSAW);
    expect(r.points).toBe(held.points);
  });

  it("leaves a programme without tiers as it was", () => {
    const r = evaluateEarning(
      programme({ rules: [base] }),
      sale([line("burger", 1000)]),
      member({ tier: null }),
      WARSAW,
    );
    expect(r.points).toBe(10);
  });
});
