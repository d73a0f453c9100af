import { TierProgramme } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { type SaleUpgrade, tierAfterRefund } from "../src/index.ts";

// A refund judges each tier upgrade by the programme it was made under as well as the one in force: a version that
// changed a threshold or the levels since acts through the period-end downgrade, not through a refund.

const tiers = TierProgramme.parse({
  basis: "points_earned",
  window: "lifetime",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
    { id: "gold", name: "Gold", threshold: 500 },
  ],
});

describe("tierAfterRefund after a version raised a tier's threshold", () => {
  // Version 2 raised gold from 500 to 600; the upgrade to gold was made under version 1.
  const raised = TierProgramme.parse({
    ...tiers,
    levels: tiers.levels.map((l) => (l.id === "gold" ? { ...l, threshold: 600 } : l)),
  });
  const gold: SaleUpgrade = {
    saleId: "X",
    at: new Date(),
    upgrade: { from: "silver", to: "gold", rewardPoints: 100, rewardKey: "reward:X" },
  };
  const madeUnder = () => tiers;

  it("judges the upgrade against the threshold it was reached at: a refund leaving 530 or 550 keeps gold", () => {
    expect(tierAfterRefund(raised, "gold", 530, [gold], madeUnder)).toBeNull();
    expect(tierAfterRefund(raised, "gold", 550, [gold], madeUnder)).toBeNull();
  });

  it("still takes the upgrade back when the remaining value is under the threshold it was reached at", () => {
    expect(tierAfterRefund(raised, "gold", 450, [gold], madeUnder)).toEqual({
      tier: raised.levels[1],
      revoked: [gold],
      left: null,
    });
  });

  it("a skipped level is left as the upgrade's programme had it, with that level's threshold for later refunds", () => {
    // Bronze to gold under version 1 (silver at 200); version 2 also raised silver to 300.
    const both = TierProgramme.parse({
      ...raised,
      levels: raised.levels.map((l) => (l.id === "silver" ? { ...l, threshold: 300 } : l)),
    });
    const skip: SaleUpgrade = { ...gold, upgrade: { ...gold.upgrade, from: "bronze" } };
    const back = tierAfterRefund(both, "gold", 250, [skip], madeUnder);
    expect(back).toMatchObject({ tier: { id: "silver" }, revoked: [skip], left: { to: "silver", threshold: 200 } });
    // A later refund judges the level left at 200, whatever the version in force at the refund left it says.
    const left: SaleUpgrade = { saleId: "R", at: new Date(), upgrade: back!.left! };
    expect(tierAfterRefund(both, "silver", 250, [left], () => both)).toBeNull();
    expect(tierAfterRefund(both, "silver", 150, [left], () => both)?.tier.id).toBe("bronze");
  });
});

describe("tierAfterRefund after a version lowered a threshold or changed the levels", () => {
  const v1 = () => tiers;
  const withLevels = (levels: { id: string; threshold: number }[]) =>
    TierProgramme.parse({ ...tiers, levels: levels.map((l) => ({ ...l, name: l.id })) });
  const upgrade = (from: string, to: string): SaleUpgrade => ({
    saleId: "X",
    at: new Date(),
    upgrade: { from, to, rewardPoints: 100, rewardKey: "reward:X" },
  });

  it("keeps an upgrade the remaining value backs under the current, lower, threshold", () => {
    // Gold reached at 500 under version 1; version 2 lowered it to 400: 450 left still earns gold.
    const lowered = withLevels([
      { id: "bronze", threshold: 0 },
      { id: "silver", threshold: 200 },
      { id: "gold", threshold: 400 },
    ]);
    expect(tierAfterRefund(lowered, "gold", 450, [upgrade("silver", "gold")], v1)).toBeNull();
    expect(tierAfterRefund(lowered, "gold", 350, [upgrade("silver", "gold")], v1)?.tier.id).toBe("silver");
  });

  it("lands only on a level of the current programme: a removed level is not returned", () => {
    const noSilver = withLevels([
      { id: "bronze", threshold: 0 },
      { id: "gold", threshold: 500 },
    ]);
    const gold = upgrade("silver", "gold");
    expect(tierAfterRefund(noSilver, "gold", 250, [gold], v1)).toEqual({
      tier: noSilver.levels[0],
      revoked: [gold],
      left: null,
    });
  });

  it("lands on a level the current programme added that the remaining value earns, leaving it for later refunds", () => {
    const noSilver = withLevels([
      { id: "bronze", threshold: 0 },
      { id: "gold", threshold: 500 },
    ]);
    const withSilver = withLevels([
      { id: "bronze", threshold: 0 },
      { id: "silver", threshold: 200 },
      { id: "gold", threshold: 500 },
    ]);
    const skip = upgrade("bronze", "gold");
    const back = tierAfterRefund(withSilver, "gold", 250, [skip], () => noSilver);
    expect(back).toMatchObject({
      tier: { id: "silver" },
      revoked: [skip],
      left: { from: "bronze", to: "silver", threshold: 200 },
    });
    const left: SaleUpgrade = { saleId: "R", at: new Date(), upgrade: back!.left! };
    expect(tierAfterRefund(withSilver, "silver", 150, [left], () => withSilver)?.tier.id).toBe("bronze");
  });
});
