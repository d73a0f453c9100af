import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planRefund, planSale, type SaleRecord } from "../src/index.ts";
import { base, CUSTOMER, member, NOON, programme, recordOf, refundMessage, saleMessage, tiers } from "./fixtures.ts";

// Lifetime window: silver at 200 (reward 50), gold at 500 (reward 100). Refunds take tier rewards back.
const p = programme({ rules: [base], tiers, refunds: { tierRewards: true } });
const minutesAfter = (at: string, minutes: number) => new Date(Date.parse(at) + minutes * 60_000).toISOString();

/**
 * Sales earning `points` (1 point per 1.00 paid) one minute apart, then full refunds of the sales in `order`, a
 * minute apart two days later: the tier held, the qualifying value left, and every movement beyond the points.
 */
function replay(points: number[], order: number[]) {
  // Every upgrade of this customer is known here, as a batch that loaded them knows them.
  const state = member({ qualifyingWindow: null, upgrades: [] });
  const records: SaleRecord[] = [];
  const moves: { kind: string; amount: number; idempotencyKey: string; sourceKey?: string | null }[] = [];
  points.forEach((n, k) => {
    const m = saleMessage(`S${k}`, [{ sku: `s${k}`, unitPrice: n * 100 }], minutesAfter(NOON, k));
    const plan = planSale(m, state, p);
    records.push(recordOf(m, plan));
    moves.push(...plan.movements);
  });
  order.forEach((k, n) => {
    const m = refundMessage(
      `R${k}`,
      `S${k}`,
      [{ sku: `s${k}`, unitPrice: points[k]! * 100, lineNo: 0 }],
      minutesAfter(NOON, 2 * 24 * 60 + n),
    );
    const plan = planRefund(m, records[k]!, state, p.config);
    if (plan.rejected) throw new Error(plan.rejected.message);
    moves.push(...plan.movements);
  });
  const bonuses = moves.filter((m) => m.kind === "bonus");
  return {
    tier: state.tier,
    qualifying: state.qualifying,
    balance: moves.reduce((sum, m) => sum + m.amount, 0),
    rewardsTakenBack: bonuses
      .filter((m) => m.amount < 0)
      .map((m) => `${m.sourceKey} ${m.amount}`)
      .sort(),
  };
}

describe("refunds of sales that upgraded one after the other end the same in any order", () => {
  const silverReward = `tier-reward:${CUSTOMER}:silver:tx_S0 -50`;
  const goldReward = `tier-reward:${CUSTOMER}:gold:tx_S1 -100`;

  it("A (300: bronze to silver) and B (250: silver to gold), refunded A then B or B then A: bronze, both rewards back", () => {
    const aThenB = replay([300, 250], [0, 1]);
    const bThenA = replay([300, 250], [1, 0]);
    expect(aThenB).toEqual(bThenA);
    expect(aThenB).toEqual({ tier: "bronze", qualifying: 0, balance: 0, rewardsTakenBack: [goldReward, silverReward] });
  });

  it("refunding A alone takes back B's gold, which A's points were holding up: 250 left is silver", () => {
    expect(replay([300, 250], [0])).toMatchObject({ tier: "silver", qualifying: 250, rewardsTakenBack: [goldReward] });
  });

  it("any refund order of the same sales ends at the same tier with the same balance", () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 5 })
          .chain((points) => fc.tuple(fc.constant(points), fc.shuffledSubarray(points.map((_, k) => k)))),
        ([points, order]) => {
          const forward = replay(points, order);
          expect(replay(points, [...order].reverse())).toEqual(forward);
          // Gold's 2× makes what a sale earned depend on the tier held then, so the tier is compared with what
          // the qualifying value left earns, not with the sum of `points`.
          const earned = [...tiers.levels].reverse().find((l) => forward.qualifying >= l.threshold)!;
          expect(forward.tier).toBe(earned.id);
        },
      ),
      { numRuns: 200 },
    );
  });
});
