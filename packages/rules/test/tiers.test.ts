import { TierProgramme } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import {
  dueForTierJudging,
  effectiveTier,
  floorActive,
  latestJudgedTierSince,
  tierFor,
  tierPeriodEnd,
  tierProgress,
  tierWindowStart,
} from "../src/index.ts";
import { tiers as tierConfig, WARSAW } from "./fixtures.ts";

const tiers = TierProgramme.parse(tierConfig);

describe("tiers bronze 0-199, silver 200-499, gold 500+ on points earned", () => {
  it.each([
    [0, "bronze"],
    [199, "bronze"],
    [200, "silver"],
    [480, "silver"],
    [499, "silver"],
    [500, "gold"],
    [12000, "gold"],
  ])("%i points → %s", (value, id) => {
    expect(tierFor(tiers, value).id).toBe(id);
  });

  it("levels may be listed in any order", () => {
    const shuffled = TierProgramme.parse({ ...tierConfig, levels: [...tierConfig.levels].reverse() });
    expect(tierFor(shuffled, 480).id).toBe("silver");
  });

  it('at 480 points: "Only 20 points to gold"', () => {
    expect(tierProgress(tiers, 480, "silver")).toEqual({
      tier: expect.objectContaining({ id: "silver" }),
      next: { id: "gold", name: "Gold", threshold: 500, gap: 20 },
    });
  });

  it("keeps a higher current tier until the downgrade; the gap is to the level above it", () => {
    const p = tierProgress(tiers, 150, "silver");
    expect(p.tier.id).toBe("silver");
    expect(p.next).toEqual({ id: "gold", name: "Gold", threshold: 500, gap: 350 });
  });

  it("shows the tier held, as checkout applies it, not one the value reaches before it is applied", () => {
    // Gold lowered below the value: the member still holds silver until the tier job or a sale raises them.
    expect(tierProgress(tiers, 520, "silver")).toEqual({
      tier: expect.objectContaining({ id: "silver" }),
      next: { id: "gold", name: "Gold", threshold: 500, gap: 0 },
    });
    // Not placed yet: the entry level, as checkout and earning treat them (`tierOrEntry`).
    expect(tierProgress(tiers, 350, null)).toEqual({
      tier: expect.objectContaining({ id: "bronze" }),
      next: { id: "silver", name: "Silver", threshold: 200, gap: 0 },
    });
    expect(tierProgress(tiers, 50, null).next).toEqual({ id: "silver", name: "Silver", threshold: 200, gap: 150 });
    // A removed level: where the tier job's next run places its holders.
    expect(tierProgress(tiers, 50, "platinum-retired").tier.id).toBe("bronze");
  });
});

describe("qualification windows", () => {
  const now = "2025-06-15T12:00:00+02:00";

  it("start: lifetime none, calendar year local Jan 1, rolling 12 local months back", () => {
    expect(tierWindowStart("lifetime", now, WARSAW)).toBeNull();
    expect(tierWindowStart("calendar_year", now, WARSAW)?.toISOString()).toBe("2024-12-31T23:00:00.000Z");
    expect(tierWindowStart("rolling_12_months", now, WARSAW)?.toISOString()).toBe("2024-06-15T10:00:00.000Z");
    // 12:00 UTC on Dec 31 is already New Year in Auckland.
    expect(tierWindowStart("calendar_year", "2025-12-31T12:00:00Z", "Pacific/Auckland")?.toISOString()).toBe(
      "2025-12-31T11:00:00.000Z",
    );
  });

  it("period end (when a downgrade may happen): next local Jan 1, next local day, or never", () => {
    expect(tierPeriodEnd("calendar_year", now, WARSAW)?.toISOString()).toBe("2025-12-31T23:00:00.000Z");
    expect(tierPeriodEnd("rolling_12_months", now, WARSAW)?.toISOString()).toBe("2025-06-15T22:00:00.000Z");
    expect(tierPeriodEnd("lifetime", now, WARSAW)).toBeNull();
  });
});

describe("tier floors: an admin-assigned tier the customer does not fall below until a date", () => {
  const until = "2025-04-01T00:00:00+02:00";
  const before = "2025-03-31T23:59:59.999+02:00";

  it("lifts a lower tier while in force, up to `until` excluded; a higher tier held stays", () => {
    const gold = { tier: "gold", until };
    expect(effectiveTier(tiers, "bronze", gold, before)).toBe("gold");
    expect(effectiveTier(tiers, null, gold, before)).toBe("gold");
    expect(effectiveTier(tiers, "bronze", gold, until)).toBe("bronze");
    expect(effectiveTier(tiers, "gold", { tier: "silver", until }, before)).toBe("gold");
    expect(floorActive(gold, new Date(Date.parse(until) - 1))).toBe(true);
    expect(floorActive(gold, new Date(until))).toBe(false);
    expect(floorActive(null, before)).toBe(false);
  });

  it("is ignored without tiers, for a level the programme no longer has, and lifts an unknown held id", () => {
    expect(effectiveTier(undefined, "bronze", { tier: "gold", until }, before)).toBe("bronze");
    expect(effectiveTier(tiers, "silver", { tier: "platinum-retired", until }, before)).toBe("silver");
    expect(effectiveTier(tiers, "platinum-retired", { tier: "silver", until }, before)).toBe("silver");
  });

  it("the gap shown is to the level above the floor tier", () => {
    const shown = effectiveTier(tiers, "bronze", { tier: "silver", until }, before);
    expect(tierProgress(tiers, 120, shown).next).toEqual({ id: "gold", name: "Gold", threshold: 500, gap: 380 });
  });
});

describe("when the downgrade pass judges a member: a rolling tier is kept one full window from when it was reached", () => {
  const rolling = TierProgramme.parse({ ...tierConfig, window: "rolling_12_months" });
  const at = "2025-06-15T12:00:00+02:00";
  const reached = (
    tierSince: string | null,
    tier = "gold",
    floor: { tier: string; until: string } | null = null,
    byFloor = false,
  ) => ({ tier, tierSince, byFloor, floor });

  it("rolling: judged once tier_since is 12 local months back or more; an unknown since is judged", () => {
    expect(latestJudgedTierSince("rolling_12_months", at, WARSAW)?.toISOString()).toBe("2024-06-15T10:00:00.000Z");
    expect(dueForTierJudging(rolling, reached("2024-06-15T12:00:00+02:00"), at, WARSAW)).toBe(true);
    expect(dueForTierJudging(rolling, reached("2024-06-15T12:00:00.001+02:00"), at, WARSAW)).toBe(false);
    expect(dueForTierJudging(rolling, reached("2025-05-15T12:00:00+02:00"), at, WARSAW)).toBe(false);
    expect(dueForTierJudging(rolling, reached("2023-01-01T00:00:00+01:00"), at, WARSAW)).toBe(true);
    expect(dueForTierJudging(rolling, reached(null), at, WARSAW)).toBe(true);
  });

  it("12 months are local calendar months: across 29 February the window is 366 days, not 365", () => {
    const march = "2024-03-15T12:00:00+01:00";
    expect(latestJudgedTierSince("rolling_12_months", march, WARSAW)?.toISOString()).toBe("2023-03-15T11:00:00.000Z");
    const daysBefore = (days: number) => new Date(Date.parse(march) - days * 86_400_000).toISOString();
    expect(dueForTierJudging(rolling, reached(daysBefore(365)), march, WARSAW)).toBe(false);
    expect(dueForTierJudging(rolling, reached(daysBefore(366)), march, WARSAW)).toBe(true);
  });

  it("calendar year and lifetime wait for no one (calendar year judges on 1 January the year the tier was reached in)", () => {
    expect(latestJudgedTierSince("calendar_year", at, WARSAW)).toBeNull();
    expect(latestJudgedTierSince("lifetime", at, WARSAW)).toBeNull();
    expect(dueForTierJudging(tiers, reached("2025-06-01T00:00:00+02:00"), at, WARSAW)).toBe(true);
  });

  // Where the tier came from is recorded (`byFloor`), not guessed from the floor's level.
  const recent = "2025-03-01T12:00:00+01:00";
  const ended = "2025-06-01T00:00:00+02:00";
  const inForce = "2025-07-01T00:00:00+02:00";

  it("a tier a floor gave is kept while a floor is in force and judged once none is, whatever the floor's level", () => {
    const byFloor = (tier: string, floor: { tier: string; until: string } | null) =>
      dueForTierJudging(rolling, reached(recent, tier, floor, true), at, WARSAW);
    expect(byFloor("gold", { tier: "gold", until: inForce })).toBe(false);
    expect(byFloor("gold", { tier: "gold", until: ended })).toBe(true);
    // The admin lowered a gold floor to a silver one (the tier stays gold): when it ends, gold is judged.
    expect(byFloor("gold", { tier: "silver", until: inForce })).toBe(false);
    expect(byFloor("gold", { tier: "silver", until: ended })).toBe(true);
    // No floor left (cleared, or the merged customer's): nothing holds the floor's tier up.
    expect(byFloor("gold", null)).toBe(true);
  });

  it("a qualified tier keeps its first window, whatever floor ended meanwhile (a status match at its level too)", () => {
    const qualified = (floor: { tier: string; until: string } | null) =>
      dueForTierJudging(rolling, reached(recent, "gold", floor), at, WARSAW);
    expect(qualified({ tier: "gold", until: ended })).toBe(false);
    expect(qualified({ tier: "silver", until: ended })).toBe(false);
    expect(qualified({ tier: "retired", until: ended })).toBe(false);
    expect(qualified({ tier: "gold", until: inForce })).toBe(false);
    expect(qualified(null)).toBe(false);
  });

  it("a window after tier_since every tier is judged, a floor's too (never below a floor in force: effectiveTier)", () => {
    const old = "2024-01-10T12:00:00+01:00";
    expect(dueForTierJudging(rolling, reached(old, "gold", { tier: "gold", until: inForce }, true), at, WARSAW)).toBe(
      true,
    );
    expect(dueForTierJudging(rolling, reached(old, "gold", { tier: "gold", until: inForce }), at, WARSAW)).toBe(true);
  });
});
