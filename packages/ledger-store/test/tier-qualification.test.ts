import { type TierProgramme, TierProgramme as TierSchema } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { qualificationUnchangedSinceLastPass, type VersionTiers } from "../src/jobs/tier-qualification.ts";

const tiers = (goldAt: number, extra: Partial<TierProgramme> = {}): TierProgramme =>
  TierSchema.parse({
    basis: "points_earned",
    window: "lifetime",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200, benefits: { rewardPoints: 10 } },
      { id: "gold", name: "Gold", threshold: goldAt, benefits: { rewardPoints: 100 } },
    ],
    ...extra,
  });
const at = (day: number) => new Date(Date.UTC(2026, 0, day));
const stored = (version: number, day: number, t: unknown): VersionTiers => ({
  version,
  effectiveFrom: at(day),
  tiers: t,
});
const unchanged = (versions: VersionTiers[], handled: number[], current: number, t: TierProgramme) =>
  qualificationUnchangedSinceLastPass(versions, new Set(handled), { version: current, tiers: t });

describe("whether a version's tier pass can skip its scan", () => {
  it("skips when only names and benefits differ from the last handled version", () => {
    const renamed = tiers(500);
    renamed.levels[2] = { ...renamed.levels[2]!, name: "Golden", benefits: { flags: ["priority"], rewardPoints: 5 } };
    expect(unchanged([stored(2, 1, tiers(500)), stored(3, 2, renamed)], [2], 3, renamed)).toBe(true);
  });

  it("skips when the levels are only listed in another order", () => {
    const reversed = { ...tiers(500), levels: [...tiers(500).levels].reverse() };
    expect(unchanged([stored(2, 1, tiers(500)), stored(3, 2, reversed)], [2], 3, reversed)).toBe(true);
  });

  it("scans when a threshold, the basis, the window or a level's id changes", () => {
    const changed: TierProgramme[] = [
      tiers(400),
      tiers(500, { basis: "spend" }),
      tiers(500, { window: "calendar_year" }),
      { ...tiers(500), levels: tiers(500).levels.map((l) => (l.id === "gold" ? { ...l, id: "platinum" } : l)) },
    ];
    for (const t of changed) expect(unchanged([stored(2, 1, tiers(500)), stored(3, 2, t)], [2], 3, t)).toBe(false);
  });

  it("scans when two levels at one threshold swap places (the later listed is the one reached)", () => {
    const tied = (ids: string[]) =>
      TierSchema.parse({
        basis: "orders",
        window: "lifetime",
        levels: ids.map((id) => ({ id, name: id, threshold: id === "bronze" ? 0 : 10 })),
      });
    const swapped = tied(["bronze", "gold", "silver"]);
    expect(unchanged([stored(2, 1, tied(["bronze", "silver", "gold"])), stored(3, 2, swapped)], [2], 3, swapped)).toBe(
      false,
    );
  });

  it("scans when no earlier version was handled, or the version in force is not stored", () => {
    expect(unchanged([stored(2, 1, tiers(500)), stored(3, 2, tiers(500))], [], 3, tiers(500))).toBe(false);
    expect(unchanged([stored(2, 1, tiers(500))], [2], 3, tiers(500))).toBe(false);
  });

  it("scans when a version in force since the last pass had other tiers, or none", () => {
    for (const between of [tiers(600), null, { basis: "unreadable" }])
      expect(
        unchanged([stored(2, 1, tiers(500)), stored(3, 2, between), stored(4, 3, tiers(500))], [2], 4, tiers(500)),
      ).toBe(false);
  });

  it("compares from the last version handled, in the order versions come into force", () => {
    // Version 3 (other tiers) was handled, then version 4 with 2's tiers back: judged against 4's own pass.
    const versions = [
      stored(2, 1, tiers(500)),
      stored(3, 2, tiers(600)),
      stored(4, 3, tiers(500)),
      stored(5, 4, tiers(500)),
    ];
    expect(unchanged(versions, [2, 3, 4], 5, tiers(500))).toBe(true);
    expect(unchanged(versions, [2, 3], 5, tiers(500))).toBe(false);
    // Version 3 takes effect after version 4, now in force: it has never been in force, so it is not in between.
    const scheduled = [stored(2, 1, tiers(500)), stored(3, 9, tiers(600)), stored(4, 3, tiers(500))];
    expect(unchanged(scheduled, [2], 4, tiers(500))).toBe(true);
  });
});
