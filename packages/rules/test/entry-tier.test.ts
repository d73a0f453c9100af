import { describe, expect, it } from "vitest";
import { evaluateAction, evaluateEarning, tierOrEntry } from "../src/index.ts";
import { base, line, member, programme, sale, tiers, WARSAW, WEDNESDAY } from "./fixtures.ts";

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

describe("a member without a tier yet is paid action rules as the entry tier", () => {
  const feedbackByTier = programme({
    rules: [
      {
        id: "bronze-feedback",
        type: "action",
        event: "feedback_submitted",
        points: 20,
        limit: "once",
        tiers: ["bronze"],
      },
      { id: "gold-feedback", type: "action", event: "feedback_submitted", points: 50, limit: "once", tiers: ["gold"] },
      { id: "bronze-visit", type: "per_visit", points: 7, tiers: ["bronze"] },
    ],
    tiers,
  });
  const feedback = { type: "feedback_submitted", occurredAt: WEDNESDAY };
  const noHistory = { earnedOnceBy: new Set<string>(), earnedTodayBy: new Set<string>() };

  it("pays the entry tier's action rules, as purchase earning pays its purchase rules", () => {
    const unplaced = member({ tier: null });
    expect(evaluateAction(feedbackByTier, feedback, unplaced, noHistory, WARSAW)).toEqual([
      { ruleId: "bronze-feedback", points: 20, limit: "once" },
    ]);
    expect(evaluateEarning(feedbackByTier, sale([line("burger", 1000)]), unplaced, WARSAW).points).toBe(7);
  });

  it("leaves a stored tier, an unknown one, and a programme without tiers as they were", () => {
    const levels = feedbackByTier.tiers;
    expect(tierOrEntry(levels, "gold")).toBe("gold");
    expect(tierOrEntry(levels, "vanished")).toBe("vanished");
    expect(tierOrEntry(levels, null)).toBe("bronze");
    expect(tierOrEntry(undefined, null)).toBeNull();
  });
});
