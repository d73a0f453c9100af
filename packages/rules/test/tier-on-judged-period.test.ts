import { TierProgramme } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { tierOnJudgedPeriod } from "../src/index.ts";

// Levels listed out of threshold order on purpose: thresholds rank them, as `tierFor` reads them.
const tiers = TierProgramme.parse({
  basis: "points_earned",
  window: "calendar_year",
  levels: [
    { id: "gold", name: "Gold", threshold: 500 },
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
  ],
});
const refundAt = new Date();
const floor = (tier: string, daysAfterRefund: number) => ({
  tier,
  until: new Date(refundAt.getTime() + daysAfterRefund * 86_400_000),
});

describe("tierOnJudgedPeriod: the held tier judged again on the closed period's value a refund lowered", () => {
  it("falls to the level the value reaches when it is below the held level's threshold", () => {
    expect(tierOnJudgedPeriod(tiers, "gold", 450, null, refundAt)).toEqual({ tier: "silver", byFloor: false });
    expect(tierOnJudgedPeriod(tiers, "gold", 150, null, refundAt)).toEqual({ tier: "bronze", byFloor: false });
    expect(tierOnJudgedPeriod(tiers, "silver", 199, null, refundAt)).toEqual({ tier: "bronze", byFloor: false });
  });

  it("keeps the tier the value still reaches, and one it exceeds", () => {
    expect(tierOnJudgedPeriod(tiers, "gold", 500, null, refundAt)).toBeNull();
    expect(tierOnJudgedPeriod(tiers, "silver", 900, null, refundAt)).toBeNull();
    expect(tierOnJudgedPeriod(tiers, "bronze", 0, null, refundAt)).toBeNull();
  });

  it("is lifted by a floor in force, and kept where the floor is at or above the held level", () => {
    expect(tierOnJudgedPeriod(tiers, "gold", 150, floor("silver", 30), refundAt)).toEqual({
      tier: "silver",
      byFloor: true,
    });
    expect(tierOnJudgedPeriod(tiers, "gold", 150, floor("gold", 30), refundAt)).toBeNull();
    // A floor that ended before the refund holds nothing up.
    expect(tierOnJudgedPeriod(tiers, "gold", 150, floor("gold", -1), refundAt)).toEqual({
      tier: "bronze",
      byFloor: false,
    });
  });

  it("leaves a level the programme no longer has, and no tier, to the tier job", () => {
    expect(tierOnJudgedPeriod(tiers, "platinum", 0, null, refundAt)).toBeNull();
    expect(tierOnJudgedPeriod(tiers, null, 0, null, refundAt)).toBeNull();
  });

  it("judges each level by the lower of the run's threshold and today's: a raise since waits for the period's end", () => {
    const at = (levels: Record<string, number>) =>
      TierProgramme.parse({
        ...tiers,
        levels: tiers.levels.map((l) => ({ ...l, threshold: levels[l.id] ?? l.threshold })),
      });
    const raised = at({ gold: 800, silver: 300 });
    expect(tierOnJudgedPeriod(raised, "gold", 720, null, refundAt, tiers)).toBeNull();
    expect(tierOnJudgedPeriod(at({ gold: 400 }), "gold", 450, null, refundAt, tiers)).toBeNull();
    // Below both gold thresholds, it lands on the silver the run's 200 gives, not on the bronze today's 300 would.
    expect(tierOnJudgedPeriod(raised, "gold", 250, null, refundAt, tiers)).toEqual({ tier: "silver", byFloor: false });
    expect(tierOnJudgedPeriod(raised, "gold", 150, null, refundAt, tiers)).toEqual({ tier: "bronze", byFloor: false });
  });
});
