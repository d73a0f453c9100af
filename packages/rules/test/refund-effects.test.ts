import { TierProgramme } from "@regulars/contracts";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  noSaleEffects,
  pricesNamedAfter,
  refundedEntries,
  type SaleUpgrade,
  stampsToTakeBack,
  takeBackStamps,
  tierAfterRefund,
  tierFor,
  upgradesInForce,
} from "../src/index.ts";

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

describe("stampsToTakeBack on lines that cost no money (paid from the wallet, by points or a reward)", () => {
  // A burger and two fries paid entirely from the wallet: stored with nothing paid in money.
  const saleLines = [
    { sku: "BURGER", amount: 0, price: 1200 },
    { sku: "FRIES", amount: 0, price: 800 },
  ];
  const walletPaid = [1200, 800];
  const visit = { ...noSaleEffects(), stamps: { visits: { added: 1, perLine: [0, 0] } }, walletPaid };
  const fries = { ...noSaleEffects(), stamps: { fries: { added: 2, perLine: [0, 2] } }, walletPaid };
  const noMoney = [0, 0];

  it("measures such a line by the price its refunds named: the visit with every line, fries by unit", () => {
    expect(stampsToTakeBack(visit, saleLines, noMoney, {}, [0, 800])).toEqual({});
    expect(stampsToTakeBack(visit, saleLines, noMoney, {}, [1200, 800])).toEqual({ visits: 1 });
    expect(stampsToTakeBack(fries, saleLines, noMoney, {}, [0, 400])).toEqual({ fries: 1 });
    expect(stampsToTakeBack(fries, saleLines, noMoney, { fries: 1 }, [1200, 800])).toEqual({ fries: 1 });
    // Nothing named yet (a refund stored before prices were recorded names none): nothing goes back.
    expect(stampsToTakeBack(fries, saleLines, noMoney, {})).toEqual({});
  });

  it("needs no price named for a line given away: the visit goes back with the lines that took money", () => {
    // A burger paid in money, fries the till gave away (100% off): the refund names the burger alone.
    const givenAway = [
      { sku: "BURGER", amount: 1200, price: 1200 },
      { sku: "FRIES", amount: 0, price: 800 },
    ];
    const stamped = { ...noSaleEffects(), stamps: { visits: { added: 1, perLine: [0, 0] } } };
    expect(stampsToTakeBack(stamped, givenAway, [1200, 0], {}, [0, 0])).toEqual({ visits: 1 });
    // Fries paid from the wallet instead: the customer keeps a paid line until a refund names its price.
    const fromWallet = { ...stamped, walletPaid: [0, 800] };
    expect(stampsToTakeBack(fromWallet, givenAway, [1200, 0], {}, [0, 0])).toEqual({});
    expect(stampsToTakeBack(fromWallet, givenAway, [1200, 0], {}, [0, 800])).toEqual({ visits: 1 });
    // Effects stored before the wallet's lines were recorded read as they did: money alone decides.
    expect(stampsToTakeBack({ ...visit, walletPaid: undefined }, saleLines, noMoney, {})).toEqual({ visits: 1 });
  });

  it("records the price named only for a line that cost no money, and adds it up over refunds", () => {
    const sold = [
      { sku: "BURGER", amount: 0 },
      { sku: "COLA", amount: 300 },
    ];
    const refundLines = [
      { quantity: 1, unitPrice: 1200 },
      { quantity: 1, unitPrice: 300 },
    ];
    const matched = [
      { refundLine: 0, lineNo: 0, amount: 0 },
      { refundLine: 1, lineNo: 1, amount: 300 },
    ];
    const entries = refundedEntries(sold, matched, refundLines);
    expect(entries).toEqual([
      { lineNo: 0, amount: 0, price: 1200 },
      { lineNo: 1, amount: 300 },
    ]);
    expect(pricesNamedAfter(undefined, 2, entries)).toEqual([1200, 0]);
    expect(pricesNamedAfter([1200, 0], 2, entries)).toEqual([2400, 0]);
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
  const at = new Date();
  const upgrade = { from: "silver", to: "gold", rewardPoints: 25, rewardKey: "tier-reward:c:gold:t" };
  const made = (u: SaleUpgrade["upgrade"]): SaleUpgrade[] => [{ saleId: "t", at, upgrade: u }];
  it("falls back to what the remaining value earns", () => {
    expect(tierAfterRefund(tiers, "gold", 300, made(upgrade))?.tier.id).toBe("silver");
  });
  it("never below the tier held before the refunded sale", () => {
    expect(tierAfterRefund(tiers, "gold", 50, made(upgrade))?.tier.id).toBe("silver");
    expect(tierAfterRefund(tiers, "gold", 50, made({ ...upgrade, from: null }))?.tier.id).toBe("bronze");
  });
  it("changes nothing while the remaining value still qualifies, or when the sale upgraded to another tier", () => {
    expect(tierAfterRefund(tiers, "gold", 510, made(upgrade))).toBeNull();
    expect(tierAfterRefund(tiers, "gold", 100, made({ ...upgrade, to: "silver" }))).toBeNull();
    expect(tierAfterRefund(tiers, "gold", 100, [])).toBeNull();
  });
});

describe("tierAfterRefund: every upgrade the remaining value no longer backs goes back, whichever sale made it", () => {
  const rewards: Record<string, number> = { silver: 50, gold: 100 };
  const start = Date.now();

  /**
   * Sales earning `points` one after another (upgrades immediate, as `planSale` makes them), then refunds of the
   * sales in `order`, each judged on the lifetime total left: the tier held and the rewards taken back.
   */
  function replay(points: number[], order: number[]) {
    let total = 0;
    let tier: string | null = null;
    let since: Date | null = null;
    const upgrades: SaleUpgrade[] = [];
    points.forEach((p, k) => {
      total += p;
      const reached = tierFor(tiers, total);
      const current = tiers.levels.find((l) => l.id === tier);
      if (current && reached.threshold <= current.threshold) return;
      const at = new Date(start + k * 60_000);
      const reward = rewards[reached.id] ?? 0;
      upgrades.push({
        saleId: `S${k}`,
        at,
        upgrade: {
          from: tier,
          fromSince: since?.toISOString() ?? null,
          to: reached.id,
          rewardPoints: reward,
          rewardKey: `reward:S${k}`,
        },
      });
      tier = reached.id;
      since = at;
    });
    const takenBack: string[] = [];
    order.forEach((k, n) => {
      total -= points[k]!;
      const back = tierAfterRefund(tiers, tier, total, upgradesInForce(tier, since, upgrades));
      if (!back) return;
      const earliest = back.revoked.at(-1)!.upgrade;
      tier = back.tier.id;
      since =
        earliest.from === back.tier.id && earliest.fromSince
          ? new Date(earliest.fromSince)
          : new Date(start + (points.length + n) * 60_000);
      for (const u of back.revoked) {
        if (u.upgrade.rewardKey) takenBack.push(u.upgrade.rewardKey);
        upgrades.splice(upgrades.indexOf(u), 1);
      }
      if (back.left) upgrades.push({ saleId: `R${n}`, at: since, upgrade: back.left });
    });
    return { tier, takenBack: takenBack.sort(), remaining: total, upgrades };
  }

  it("A (bronze to silver) then B (silver to gold), refunded in either order, end bronze with both rewards back", () => {
    const aThenB = replay([300, 250], [0, 1]);
    const bThenA = replay([300, 250], [1, 0]);
    expect(aThenB).toEqual(bThenA);
    expect(aThenB).toMatchObject({ tier: "bronze", takenBack: ["reward:S0", "reward:S1"] });
  });

  it("refunding the first sale takes back the later upgrade its value was holding up", () => {
    // 250 left after A: silver is still earned, gold is not.
    expect(replay([300, 250], [0])).toMatchObject({ tier: "silver", takenBack: ["reward:S1"] });
  });

  it("a sale that upgraded nothing, refunded, takes back the upgrade it was backing", () => {
    expect(replay([150, 100], [0])).toMatchObject({ tier: "bronze", takenBack: ["reward:S1"] });
  });

  it("a skipped level the remaining value still earns is left, and a later refund takes it back", () => {
    // 175 joins bronze; 396 more reaches gold, skipping silver; 251 more changes nothing.
    expect(replay([175, 396, 251], [1])).toMatchObject({ tier: "silver", takenBack: ["reward:S1"] });
    expect(replay([175, 396, 251], [1, 2])).toEqual(replay([175, 396, 251], [2, 1]));
    expect(replay([175, 396, 251], [1, 2])).toMatchObject({ tier: "bronze", takenBack: ["reward:S1"] });
  });

  it("stops at the first upgrade the remaining value still backs, and at a tier no sale gave", () => {
    const since = new Date(start);
    const silver: SaleUpgrade = {
      saleId: "A",
      at: since,
      upgrade: { from: "bronze", fromSince: null, to: "silver", rewardPoints: 50, rewardKey: "a" },
    };
    const gold: SaleUpgrade = {
      saleId: "B",
      at: new Date(start + 60_000),
      upgrade: { from: "silver", fromSince: since.toISOString(), to: "gold", rewardPoints: 100, rewardKey: "b" },
    };
    expect(upgradesInForce("gold", gold.at, [silver, gold])).toEqual([gold, silver]);
    expect(tierAfterRefund(tiers, "gold", 250, [gold, silver])).toEqual({
      tier: tiers.levels[1],
      revoked: [gold],
      left: null,
    });
    // Silver given since otherwise (the downgrade job, a floor): the chain ends at gold's upgrade.
    expect(upgradesInForce("gold", gold.at, [{ ...silver, at: new Date(start - 1) }, gold])).toEqual([gold]);
    // Gold held since otherwise: no sale's upgrade is in force.
    expect(upgradesInForce("gold", new Date(start + 1), [silver, gold])).toEqual([]);
  });

  it("any refund order of the same sales ends at the same tier, the one the remaining value earns, with the same rewards back", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 6 }).chain((points) =>
          fc.tuple(
            fc.constant(points),
            fc.shuffledSubarray(
              points.map((_, k) => k),
              { minLength: 0 },
            ),
          ),
        ),
        ([points, order]) => {
          const forward = replay(points, order);
          const backward = replay(points, [...order].reverse());
          // Which refund left a skipped level may differ; what is held and what went back may not.
          expect({ tier: backward.tier, takenBack: backward.takenBack }).toEqual({
            tier: forward.tier,
            takenBack: forward.takenBack,
          });
          const earned = tierFor(tiers, forward.remaining);
          expect(forward.tier).toBe(earned.id);
          const lost = (to: string) => tiers.levels.find((l) => l.id === to)!.threshold > earned.threshold;
          expect(forward.upgrades.every((u) => !lost(u.upgrade.to))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });
});
