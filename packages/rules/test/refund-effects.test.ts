import { TierProgramme } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { noSaleEffects, stampsToTakeBack, takeBackStamps, tierAfterRefund } from "../src/index.ts";

const tiers = TierProgramme.parse({
  basis: "points_earned",
  window: "lifetime",
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 200 },
    { id: "gold", name: "Gold", threshold: 500 },
  ],
});

describe("stampsToTakeBack", () => {
  const saleLines = [
    { sku: "COFFEE", amount: 600 },
    { sku: "CAKE", amount: 400 },
  ];
  const visit = { ...noSaleEffects(), stamps: { visits: { added: 1, perLine: [0, 0] } } };
  const items = { ...noSaleEffects(), stamps: { coffees: { added: 3, perLine: [3, 0] } } };

  it("a visit stamp goes back only when the whole sale is refunded", () => {
    expect(stampsToTakeBack(visit, saleLines, [600, 0], {})).toEqual({});
    expect(stampsToTakeBack(visit, saleLines, [600, 400], {})).toEqual({ visits: 1 });
    expect(stampsToTakeBack(visit, saleLines, [600, 400], { visits: 1 })).toEqual({});
  });

  it("item stamps go back by refunded units of the stamping lines, never more than were added", () => {
    expect(stampsToTakeBack(items, saleLines, [200, 0], {})).toEqual({ coffees: 1 });
    expect(stampsToTakeBack(items, saleLines, [300, 400], { coffees: 1 })).toEqual({}); // 1.5 units: still 1
    expect(stampsToTakeBack(items, saleLines, [600, 400], { coffees: 1 })).toEqual({ coffees: 2 });
  });
});

describe("takeBackStamps", () => {
  it("takes stamps off the current card", () => {
    expect(takeBackStamps({ stamps: 5, completed: 0 }, 2, 10)).toEqual({
      stamps: 3,
      completed: 0,
      undoneCompletions: 0,
    });
  });
  it("undoes the completion the stamps were part of, even when the new card has stamps since", () => {
    expect(takeBackStamps({ stamps: 1, completed: 1 }, 2, 10)).toEqual({
      stamps: 9,
      completed: 0,
      undoneCompletions: 1,
    });
  });
  it("leaves a card filled but not completed (stamps added by a merge) to the next sale, completing nothing", () => {
    expect(takeBackStamps({ stamps: 12, completed: 0 }, 1, 10)).toEqual({
      stamps: 11,
      completed: 0,
      undoneCompletions: 0,
    });
  });
  it("never goes below nothing", () => {
    expect(takeBackStamps({ stamps: 0, completed: 0 }, 3, 10)).toEqual({
      stamps: 0,
      completed: 0,
      undoneCompletions: 0,
    });
  });
  it("stamps ever collected are conserved: take-back is the inverse of adding", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 20 }), fc.nat(200), fc.nat(50), (required, before, n) => {
        const progress = { stamps: before % required, completed: Math.floor(before / required) };
        const after = takeBackStamps(progress, n, required);
        expect(after.completed * required + after.stamps).toBe(Math.max(0, before - n));
        expect(after.undoneCompletions).toBe(progress.completed - after.completed);
      }),
    );
  });
});

describe("tierAfterRefund: buy to reach gold, then refund, keeps nothing it should not", () => {
  const upgrade = { from: "silver", to: "gold", rewardPoints: 25, rewardKey: "tier-reward:c:gold:t" };
  it("falls back to what the remaining value earns", () => {
    expect(tierAfterRefund(tiers, "gold", 300, upgrade)?.id).toBe("silver");
  });
  it("never below the tier held before the refunded sale", () => {
    expect(tierAfterRefund(tiers, "gold", 50, upgrade)?.id).toBe("silver");
    expect(tierAfterRefund(tiers, "gold", 50, { ...upgrade, from: null })?.id).toBe("bronze");
  });
  it("changes nothing while the remaining value still qualifies, or when the sale upgraded to another tier", () => {
    expect(tierAfterRefund(tiers, "gold", 510, upgrade)).toBeNull();
    expect(tierAfterRefund(tiers, "gold", 100, { ...upgrade, to: "silver" })).toBeNull();
    expect(tierAfterRefund(tiers, "gold", 100, null)).toBeNull();
  });
});
