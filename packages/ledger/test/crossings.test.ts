import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CrossingState, milestoneChanges, movementEvents, type PostedMovement } from "../src/index.ts";

const at = new Date("2024-01-01T12:00:00Z"); // any instant: nothing here reads the clock
let n = 0;
const move = (before: number, after: number, customerId = "cus_a"): PostedMovement => ({
  id: `mov_${++n}`,
  tenantId: "ten_1",
  customerId,
  kind: after > before ? "earn" : "redeem",
  unit: "points",
  amount: after - before,
  idempotencyKey: `k${n}`,
  occurredAt: at,
  account: "points",
  balance: { before, after },
});
const thresholds = [100, 250, 500];

describe("milestoneChanges: announced once per upward crossing", () => {
  it('"You\'ve reached 100 points" fires when the balance passes 100, not while it stays above', () => {
    const state = new Map<string, CrossingState>();
    expect(
      milestoneChanges(thresholds, [move(90, 130)], state).events.map(
        (e) => e.type === "points.milestone" && e.threshold,
      ),
    ).toEqual([100]);
    expect(milestoneChanges(thresholds, [move(130, 180)], state).events).toEqual([]);
    expect(
      milestoneChanges([500, 100, 250, 100], [move(180, 600)], state).events.map(
        (e) => e.type === "points.milestone" && [e.threshold, e.crossing],
      ),
    ).toEqual([
      [500, 1],
      [250, 1],
    ]);
  });

  it("falling below closes the crossing; the next rise is crossing 2, with its own event id", () => {
    const state = new Map<string, CrossingState>();
    const changes = milestoneChanges(thresholds, [move(90, 130), move(130, 80), move(80, 120)], state);
    expect(changes.inserts.map((i) => [i.threshold, i.crossing])).toEqual([
      [100, 1],
      [100, 2],
    ]);
    expect(changes.closes.map((c) => [c.threshold, c.crossing])).toEqual([[100, 1]]);
    expect(changes.events.map((e) => e.id)).toEqual(["milestone:cus_a:100:1", "milestone:cus_a:100:2"]);
  });

  it("customers are apart; wallet movements and unchanged balances cross nothing", () => {
    const state = new Map<string, CrossingState>();
    const wallet = { ...move(0, 500, "cus_b"), unit: "wallet" as const };
    expect(
      milestoneChanges(thresholds, [move(90, 110, "cus_a"), wallet, move(50, 50, "cus_b")], state).events.map(
        (e) => e.customerId,
      ),
    ).toEqual(["cus_a"]);
  });

  it("property: along any walk, a threshold's events = upward crossings, and the state says above exactly when the balance is", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -300, max: 300 }), { maxLength: 30 }), (deltas) => {
        const state = new Map<string, CrossingState>();
        let balance = 0;
        let events = 0;
        let ups = 0;
        for (const d of deltas) {
          const before = balance;
          balance += d;
          events += milestoneChanges(thresholds, [move(before, balance)], state).events.length;
          ups += thresholds.filter((t) => before < t && balance >= t && !(before >= t)).length;
          for (const t of thresholds) expect(state.get(`cus_a:${t}`)?.above ?? false).toBe(balance >= t);
        }
        expect(events).toBe(ups);
      }),
    );
  });
});

describe("movementEvents: what each posted points movement announces", () => {
  it("a refund's take-back of a reward (a negative bonus) is points.reversed; of earned points (reverse), nothing", () => {
    const takeBack = { ...move(60, 10), kind: "bonus" as const, transactionId: "tx_refund" };
    const reversal = { ...move(10, 0), kind: "reverse" as const, transactionId: "tx_refund" };
    expect(movementEvents([takeBack, reversal])).toEqual([
      {
        type: "points.reversed",
        id: `bonus:${takeBack.id}`,
        tenantId: "ten_1",
        customerId: "cus_a",
        occurredAt: at.toISOString(),
        points: 50,
        movementKind: "bonus",
        transactionId: "tx_refund",
        balance: 10,
      },
    ]);
  });
});
