import { describe, expect, it } from "vitest";
import { type FreshMovement, type Lot, type MovementKind, planLotChanges } from "../src/index.ts";

/**
 * Lots past their expiry date keep their points until the expiry pass takes them. A debit planned before that pass
 * must not take them ahead of good points, or the pass would take less and the customer keep what was due to go.
 */
const MINUTE = 60_000;
const start = Date.now(); // data only: the planner never reads the clock
const at = (minutes: number) => new Date(start + minutes * MINUTE);
const TENANT = "ten_lots_past_expiry";
const C = "cus_a";

/** An open lot as the store loads it, earned `minute` minutes from the start, expiring at `expiresAt` (or never). */
const lot = (key: string, points: number, minute: number, expiresAt: Date | null = null): Lot => ({
  id: `lot_${key}`,
  tenantId: TENANT,
  customerId: C,
  movementId: `mov_${key}`,
  key,
  points,
  remaining: points,
  earnedAt: at(minute),
  availableAt: at(minute),
  expiresAt,
  released: true,
  dirty: false,
});

const debit = (key: string, amount: number, kind: MovementKind, minute: number, sourceKey?: string): FreshMovement => ({
  id: `mov_${key}`,
  tenantId: TENANT,
  customerId: C,
  kind,
  unit: "points",
  amount: -amount,
  idempotencyKey: key,
  occurredAt: at(minute),
  sourceKey: sourceKey ?? null,
});

const remaining = (lots: readonly Lot[]) => lots.map((l) => [l.key, l.remaining]);

describe("planLotChanges: lots past their expiry date, before the expiry pass", () => {
  it("a spend takes the good points before an older lot past its date, and records those it took", () => {
    // Lot A expired a minute before the sale; B never expires.
    const lots = [lot("a", 100, -60, at(0)), lot("b", 100, -30)];
    const changes = planLotChanges([debit("redeem:h1", 100, "redeem", 1)], new Map([[C, 200]]), lots);
    expect(remaining(lots)).toEqual([
      ["a", 100],
      ["b", 0],
    ]);
    expect(changes.redeemed).toEqual([
      { tenantId: TENANT, key: "redeem:h1", taken: [{ points: 100, earnedAt: at(-30), expiresAt: null }] },
    ]);
  });

  it("a hold's spend judges the lots when the hold was placed: those its hold reserved before their date go first", () => {
    // A's date came between the hold (minute -2) and its sale (minute 1); the pass keeps away from A while it holds.
    const lots = [lot("a", 100, -60, at(0)), lot("b", 100, -30)];
    const spend = { ...debit("redeem:h4", 100, "redeem", 1), validAt: at(-2) };
    const changes = planLotChanges([spend], new Map([[C, 200]]), lots);
    expect(remaining(lots)).toEqual([
      ["a", 0],
      ["b", 100],
    ]);
    expect(changes.redeemed[0]!.taken).toEqual([{ points: 100, earnedAt: at(-60), expiresAt: at(0) }]);
  });

  it("a hold placed after a lot's date spends the good points first, as a spend at its sale does", () => {
    const lots = [lot("a", 100, -60, at(0)), lot("b", 100, -30)];
    planLotChanges([{ ...debit("redeem:h5", 100, "redeem", 2), validAt: at(1) }], new Map([[C, 200]]), lots);
    expect(remaining(lots)).toEqual([
      ["a", 100],
      ["b", 0],
    ]);
  });

  it("a spend beyond the good points takes the rest from those past their date, oldest first", () => {
    // A hold placed before the dates kept the pass away; its sale comes after them.
    const lots = [lot("a", 50, -60, at(-1)), lot("b", 50, -50, at(0)), lot("c", 40, -40, at(60)), lot("d", 30, -30)];
    planLotChanges([debit("redeem:h2", 100, "redeem", 1)], new Map([[C, 170]]), lots);
    expect(remaining(lots)).toEqual([
      ["a", 20],
      ["b", 50],
      ["c", 0],
      ["d", 0],
    ]);
  });

  it("a lot expiring after the spend is good at it, and the date is the spend's, not the plan's", () => {
    const lots = [lot("a", 100, -60, at(5)), lot("b", 100, -30)];
    planLotChanges([debit("redeem:h3", 60, "redeem", 4)], new Map([[C, 200]]), lots);
    expect(remaining(lots)).toEqual([
      ["a", 40],
      ["b", 100],
    ]);
  });

  it("an adjustment and a refund's take-back beyond its sale's lot spare the lots past their date too", () => {
    const lots = [lot("old", 100, -60, at(0)), lot("tx:sale", 100, -30, at(0)), lot("good", 100, -20)];
    planLotChanges(
      [debit("adjust", 30, "adjust", 1), debit("tx:refund", 150, "reverse", 2, "tx:sale")],
      new Map([[C, 300]]),
      lots,
    );
    // The refund takes its sale's lot first though it is past its date: the pass then does not take those again.
    expect(remaining(lots)).toEqual([
      ["old", 100],
      ["tx:sale", 0],
      ["good", 20],
    ]);
  });

  it("an expiry and a merge's move take the lot they name, whatever its date", () => {
    const lots = [lot("a", 100, -60, at(0)), lot("b", 100, -30)];
    planLotChanges(
      [debit("expire:lot:lot_a", 100, "expire", 1, "a"), debit("merge:out:b", 100, "transfer_out", 2, "b")],
      new Map([[C, 200]]),
      lots,
    );
    expect(remaining(lots)).toEqual([
      ["a", 0],
      ["b", 0],
    ]);
  });
});
