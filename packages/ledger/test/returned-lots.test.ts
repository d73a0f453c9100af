import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FreshMovement, type Lot, type LotTake, planLotChanges, returnedLots } from "../src/index.ts";

const T0 = Date.parse("2024-03-02T10:00:00Z"); // data only: the planner never reads the clock
const DAY = 86_400_000;
const day = (n: number) => new Date(T0 + n * DAY);
const TENANT = "ten_returned";
const C = "cus_a";

const lot = (key: string, remaining: number, earned: number, expires: number | null): Lot => ({
  id: `lot_${key}`,
  tenantId: TENANT,
  customerId: C,
  movementId: `mov_${key}`,
  key,
  points: remaining,
  remaining,
  earnedAt: day(earned),
  availableAt: day(earned),
  expiresAt: expires === null ? null : day(expires),
  released: true,
  dirty: false,
});

const redeem = (key: string, amount: number): FreshMovement => ({
  id: `mov_${key}`,
  tenantId: TENANT,
  customerId: C,
  kind: "redeem",
  unit: "points",
  amount: -amount,
  idempotencyKey: key,
  occurredAt: day(10),
});

const take = (points: number, earned: number, expires: number | null): LotTake => ({
  points,
  earnedAt: day(earned),
  expiresAt: expires === null ? null : day(expires),
});

describe("planLotChanges records what a redemption took", () => {
  it("each lot it took from, first in first out, with that lot's dates", () => {
    const lots = [lot("a", 30, 1, 20), lot("b", 50, 2, 40), lot("c", 10, 3, 50)];
    const changes = planLotChanges([redeem("redeem:h", 60)], new Map([[C, 90]]), lots);
    expect(changes.redeemed).toEqual([
      { tenantId: TENANT, key: "redeem:h", taken: [take(30, 1, 20), take(30, 2, 40)] },
    ]);
  });

  it("nothing for debits of other kinds, and a credit keeps the earned date it names", () => {
    const expire = { ...redeem("expire:1", 10), kind: "expire" as const };
    const credit: FreshMovement = {
      ...redeem("unredeem:t", -10),
      kind: "reverse",
      lot: { availableAt: day(10), expiresAt: day(20), earnedAt: day(1) },
    };
    const changes = planLotChanges([expire, credit], new Map([[C, 30]]), [lot("a", 30, 1, 20)]);
    expect(changes.redeemed).toEqual([]);
    expect(changes.created).toMatchObject([{ earnedAt: day(1), expiresAt: day(20), remaining: 10 }]);
  });
});

describe("returnedLots", () => {
  const taken = [take(30, 1, 20), take(50, 2, 40)];

  it("gives back the last points taken first, and later refunds the slices after", () => {
    expect(returnedLots(taken, 80, 0, 20)).toEqual([{ points: 20, dates: { earnedAt: day(2), expiresAt: day(40) } }]);
    expect(returnedLots(taken, 80, 20, 80)).toEqual([
      { points: 30, dates: { earnedAt: day(2), expiresAt: day(40) } },
      { points: 30, dates: { earnedAt: day(1), expiresAt: day(20) } },
    ]);
  });

  it("dates points no lot explains as new (null), and merges neighbours of one expiry under the earliest date", () => {
    expect(returnedLots([], 40, 0, 40)).toEqual([{ points: 40, dates: null }]);
    expect(returnedLots([take(10, 1, null), take(5, 3, null)], 20, 0, 20)).toEqual([
      { points: 5, dates: null },
      { points: 15, dates: { earnedAt: day(1), expiresAt: null } },
    ]);
  });

  it("refunds in any number of slices give back each point taken once, with its own lot's expiry", () => {
    const takeArb = fc.record({ points: fc.integer({ min: 1, max: 40 }), expires: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(takeArb, { maxLength: 6 }), fc.array(fc.integer({ min: 0, max: 200 })), (ts, cuts) => {
        const takes = ts.map((t, i) => take(t.points, i, t.expires));
        const redeemed = takes.reduce((s, t) => s + t.points, 0);
        const bounds = [0, ...cuts.map((x) => x % (redeemed + 1)).sort((a, b) => a - b), redeemed];
        const back = bounds.slice(1).flatMap((to, i) => returnedLots(takes, redeemed, bounds[i]!, to));
        const byExpiry = (pieces: { points: number; expiresAt: Date | null }[]) => {
          const sums = new Map<number | null, number>();
          for (const p of pieces) {
            const k = p.expiresAt?.getTime() ?? null;
            sums.set(k, (sums.get(k) ?? 0) + p.points);
          }
          return [...sums].sort();
        };
        expect(back.every((p) => p.points > 0 && p.dates)).toBe(true);
        expect(byExpiry(back.map((p) => ({ points: p.points, expiresAt: p.dates!.expiresAt })))).toEqual(
          byExpiry(takes),
        );
      }),
    );
  });
});
