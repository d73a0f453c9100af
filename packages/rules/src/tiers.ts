import type { TierLevel, TierProgramme } from "@regulars/contracts";
import { addMonthsLocal, type Instant, instantMs, startOfLocalYear, startOfNextLocalDay, wallClock } from "./time.ts";

// Levels may be listed in any order; thresholds decide. Equal thresholds keep list order.
const ascending = (tiers: TierProgramme): TierLevel[] => [...tiers.levels].sort((a, b) => a.threshold - b.threshold);

/** Highest level whose threshold ≤ value (bronze 0, silver 200, gold 500: 480 → silver). */
export function tierFor(tiers: TierProgramme, qualifyingValue: number): TierLevel {
  const levels = ascending(tiers);
  let tier = levels[0]!; // the schema guarantees an entry level (threshold 0) and at least one level
  for (const l of levels) if (l.threshold <= qualifyingValue && l.threshold > tier.threshold) tier = l;
  return tier;
}

/**
 * The tier a member counts as holding for rules and benefits: the one stored, or the entry level (threshold 0)
 * for a member the ledger has not placed yet (registered and never bought, or last bought before the programme had
 * tiers), since any first sale would place them there. Earning, action rules and checkout must agree on this, or
 * the entry level's rules and benefits reach such a member in one place and not in another. An unknown stored id
 * stays as it is, and without tiers there is none to hold.
 */
export function tierOrEntry(tiers: TierProgramme | undefined, tier: string | null): string | null {
  if (tier !== null || tiers === undefined) return tier;
  return tierFor(tiers, 0).id;
}

export interface TierProgress {
  tier: TierLevel;
  next: { id: string; name: string; threshold: number; gap: number } | null;
}

/**
 * The tier the customer holds and the gap to the next one ("Only 20 points to gold"). The tier shown is the one held
 * (`currentTierId`: the stored tier, lifted by a floor in force), as checkout, earning and tier-limited coupons apply
 * it, never the one the value would reach: a value above it (an admin lowered a threshold) is applied by the tier
 * job's next run or the next sale, and until then the next level shows a gap of 0. A member not placed yet holds the
 * entry level (`tierOrEntry`); an unknown id (a removed level, placed by the tier job's next run) shows the level
 * the value reaches, where that run places its holders.
 */
export function tierProgress(
  tiers: TierProgramme,
  qualifyingValue: number,
  currentTierId: string | null,
): TierProgress {
  const levels = ascending(tiers);
  const heldId = tierOrEntry(tiers, currentTierId);
  const tier = levels.find((l) => l.id === heldId) ?? tierFor(tiers, qualifyingValue);
  const above = levels.find((l) => l.threshold > tier.threshold);
  return {
    tier,
    next:
      above === undefined
        ? null
        : {
            id: above.id,
            name: above.name,
            threshold: above.threshold,
            gap: Math.max(0, above.threshold - qualifyingValue),
          },
  };
}

/**
 * What the value still lacks of each level above the tier held, by level id, in the tiers' own unit (points earned,
 * spend in minor units, or orders): `{ gold: 20 }` renders "Only 20 points to gold" for a `tier_gap` campaign on gold.
 * The held tier is read as `tierProgress` reads it; levels at or below it are left out, so nobody is told the way to a
 * tier they have.
 */
export function gapsToTiers(
  tiers: TierProgramme,
  qualifyingValue: number,
  currentTierId: string | null,
): Record<string, number> {
  const held = tierProgress(tiers, qualifyingValue, currentTierId).tier;
  const gaps: Record<string, number> = {};
  for (const l of ascending(tiers))
    if (l.threshold > held.threshold) gaps[l.id] = Math.max(0, l.threshold - qualifyingValue);
  return gaps;
}

/** An admin-assigned tier the customer does not fall below while `until` is ahead. */
export interface TierFloor {
  tier: string;
  until: Instant;
}

/** Whether the floor is in force at `at`: until the instant `until`, excluded. */
export const floorActive = (floor: TierFloor | null, at: Instant): floor is TierFloor =>
  floor !== null && instantMs(at) < instantMs(floor.until);

/**
 * The tier a customer counts as holding at `at`: the higher of the tier held and a floor in force then.
 * A floor naming a level the programme no longer has is ignored, and so is every floor without tiers.
 * An unknown held id stays as it is (the caller decides what it means, as `tierProgress` does).
 */
export function effectiveTier(
  tiers: TierProgramme | undefined,
  held: string | null,
  floor: TierFloor | null,
  at: Instant,
): string | null {
  if (tiers === undefined || !floorActive(floor, at)) return held;
  const floorLevel = tiers.levels.find((l) => l.id === floor.tier);
  if (floorLevel === undefined) return held;
  const heldLevel = tiers.levels.find((l) => l.id === held);
  return heldLevel !== undefined && heldLevel.threshold >= floorLevel.threshold ? held : floorLevel.id;
}

/** Start of the qualification window: lifetime → null; calendar year → local Jan 1; rolling → 12 local months back. */
export function tierWindowStart(window: TierProgramme["window"], nowIso: Instant, timezone: string): Date | null {
  switch (window) {
    case "lifetime":
      return null;
    case "calendar_year":
      return startOfLocalYear(wallClock(instantMs(nowIso), timezone).year, timezone);
    case "rolling_12_months":
      return addMonthsLocal(nowIso, -12, timezone);
  }
}

/**
 * When a downgrade may next happen. Calendar year: next local Jan 1. Rolling: the window moves every
 * day, so re-evaluate at the start of the next local day (a tier in its first window is not judged yet:
 * `dueForTierJudging`). Lifetime values never drop: never.
 */
export function tierPeriodEnd(window: TierProgramme["window"], nowIso: Instant, timezone: string): Date | null {
  switch (window) {
    case "lifetime":
      return null;
    case "calendar_year":
      return startOfLocalYear(wallClock(instantMs(nowIso), timezone).year + 1, timezone);
    case "rolling_12_months":
      return startOfNextLocalDay(nowIso, timezone);
  }
}

/**
 * Rolling 12 months: the latest `tierSince` a tier may have to be judged at `nowIso`, 12 local months back
 * (the start of the window judged). A tier is kept for one full window from when it was reached, so the
 * qualification period an upgrade starts ends before the points that earned it are let go. Other windows
 * wait for no one (null): a calendar-year tier is judged on 1 January on the year in which it was reached
 * (so it is kept through the next year), and a lifetime tier never falls.
 */
export function latestJudgedTierSince(window: TierProgramme["window"], nowIso: Instant, timezone: string): Date | null {
  return window === "rolling_12_months" ? addMonthsLocal(nowIso, -12, timezone) : null;
}

/** What the downgrade pass knows of a member: the tier held, since when, whether a floor gave it, an admin's floor. */
export interface TierMember {
  tier: string | null;
  tierSince: Instant | null;
  /** The tier held was given by a floor (an admin's floor raised it), not reached by qualifying. */
  byFloor: boolean;
  floor: TierFloor | null;
}

/**
 * Whether the downgrade pass judges the member at `at`. A rolling-window tier reached less than a window ago
 * (see `latestJudgedTierSince`) is kept, unless a floor gave it (`byFloor`) and no floor is in force any more:
 * the floor's tier is judged when the floor ends, whatever the floor's level by then (an admin may have lowered
 * it). A qualified tier keeps its window whatever a floor did meanwhile: one ending changes nothing for it. Where
 * the tier came from is recorded when it is set, not guessed from levels: a floor at the tier's level may be a
 * status match on a tier already earned, and a tier above a lowered floor may be the first floor's. An unknown
 * `tierSince` is judged.
 */
export function dueForTierJudging(tiers: TierProgramme, member: TierMember, at: Instant, timezone: string): boolean {
  const latest = latestJudgedTierSince(tiers.window, at, timezone);
  if (latest === null || member.tierSince === null || instantMs(member.tierSince) <= latest.getTime()) return true;
  return member.byFloor && !floorActive(member.floor, at);
}
