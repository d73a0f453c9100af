import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  customersNeedingLots,
  type FreshMovement,
  type Lot,
  type MovementKind,
  mergeKey,
  originalLotKey,
  planLotChanges,
} from "../src/index.ts";

const T0 = Date.parse("2024-03-02T10:00:00Z"); // data only: the planner never reads the clock
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const at = (minutes: number) => new Date(T0 + minutes * MINUTE);
const TENANT = "ten_lots";
const C = "cus_a";

/** An open lot as the store loads it (id set, not dirty). */
const lot = (key: string, points: number, remaining: number, minute: number, more: Partial<Lot> = {}): Lot => ({
  id: `lot_${key}`,
  tenantId: TENANT,
  customerId: C,
  movementId: `mov_${key}`,
  key,
  points,
  remaining,
  earnedAt: at(minute),
  availableAt: at(minute),
  expiresAt: null,
  released: true,
  dirty: false,
  ...more,
});

interface MoveOpts {
  kind?: MovementKind;
  minute?: number;
  customerId?: string;
  pendingDays?: number;
  expiresAt?: Date;
  sourceKey?: string;
  unit?: "points" | "wallet";
}

const mv = (key: string, amount: number, o: MoveOpts = {}): FreshMovement => {
  const occurredAt = at(o.minute ?? 0);
  return {
    id: `mov_${key}`,
    tenantId: TENANT,
    customerId: o.customerId ?? C,
    kind: o.kind ?? (amount > 0 ? "earn" : "redeem"),
    unit: o.unit ?? "points",
    amount,
    idempotencyKey: key,
    occurredAt,
    sourceKey: o.sourceKey ?? null,
    ...(o.pendingDays !== undefined || o.expiresAt
      ? {
          lot: {
            availableAt: new Date(occurredAt.getTime() + (o.pendingDays ?? 0) * DAY),
            expiresAt: o.expiresAt ?? null,
          },
        }
      : {}),
  };
};

const remaining = (lots: readonly Lot[]) => lots.map((l) => [l.key, l.remaining]);

describe("planLotChanges: spending, first in first out", () => {
  it("a spend empties the oldest lot first, then takes from the next; both changed lots are written back", () => {
    const lots = [lot("a", 100, 100, 1), lot("b", 50, 50, 2), lot("c", 70, 70, 3)];
    const changes = planLotChanges([mv("spend", -120, { minute: 10 })], new Map([[C, 220]]), lots);
    expect(remaining(lots)).toEqual([
      ["a", 0],
      ["b", 30],
      ["c", 70],
    ]);
    expect(changes.updated).toEqual([
      { id: "lot_a", remaining: 0, released: true },
      { id: "lot_b", remaining: 30, released: true },
    ]);
    expect(changes.created).toEqual([]);
    expect(changes.balances.get("mov_spend")).toEqual({ before: 220, after: 100 });
    expect(changes.accountOf.get("mov_spend")).toBe("points");
  });

  it("a credit opens a lot with its key and dates; later spends in the batch reach it after the older lots", () => {
    const expiresAt = new Date("2025-03-02T10:00:00Z");
    const lots = [lot("a", 40, 40, 1)];
    const changes = planLotChanges(
      [mv("earn", 60, { minute: 5, expiresAt }), mv("spend", -70, { minute: 6 })],
      new Map([[C, 40]]),
      lots,
    );
    expect(changes.created).toEqual([
      {
        id: null,
        tenantId: TENANT,
        customerId: C,
        movementId: "mov_earn",
        key: "earn",
        points: 60,
        remaining: 30,
        earnedAt: at(5),
        availableAt: at(5),
        expiresAt,
        released: true,
        dirty: true,
      },
    ]);
    expect(lots[0]!.remaining).toBe(0);
    // A lot not stored yet is inserted with what is left, not updated.
    expect(changes.updated).toEqual([{ id: "lot_a", remaining: 0, released: true }]);
    expect([...changes.balances.values()]).toEqual([
      { before: 40, after: 100 },
      { before: 100, after: 30 },
    ]);
  });

  it("a reversal aimed at its sale's lot takes from that lot first, then first-in first-out", () => {
    const lots = [lot("tx:old", 100, 100, 1), lot("tx:sale", 100, 100, 2)];
    planLotChanges([mv("refund-1", -60, { kind: "reverse", sourceKey: "tx:sale" })], new Map([[C, 200]]), lots);
    expect(remaining(lots)).toEqual([
      ["tx:old", 100],
      ["tx:sale", 40],
    ]);
    planLotChanges([mv("refund-2", -70, { kind: "reverse", sourceKey: "tx:sale" })], new Map([[C, 140]]), lots);
    expect(remaining(lots)).toEqual([
      ["tx:old", 70],
      ["tx:sale", 0],
    ]);
  });

  it("customers are apart, and wallet movements touch no lot", () => {
    const lots = [lot("a", 100, 100, 1), { ...lot("b", 100, 100, 2), customerId: "cus_b" }];
    const changes = planLotChanges(
      [mv("spend-a", -30), mv("cash", -50, { unit: "wallet" }), mv("spend-b", -10, { customerId: "cus_b" })],
      new Map([
        [C, 100],
        ["cus_b", 100],
      ]),
      lots,
    );
    expect(remaining(lots)).toEqual([
      ["a", 70],
      ["b", 90],
    ]);
    expect(changes.balances.has("mov_cash")).toBe(false);
    expect(changes.balances.get("mov_spend-b")).toEqual({ before: 100, after: 90 });
  });
});

describe("planLotChanges: debt", () => {
  it("a refund of points already spent leaves a debt that later credits pay off before they open a lot", () => {
    const lots = [lot("tx:sale", 50, 30, 1)];
    const changes = planLotChanges(
      [
        mv("refund", -50, { kind: "reverse", sourceKey: "tx:sale", minute: 2 }),
        mv("earn-1", 15, { minute: 3 }),
        mv("earn-2", 40, { minute: 4 }),
      ],
      new Map([[C, 30]]),
      lots,
    );
    expect(lots[0]!.remaining).toBe(0);
    // -20 after the refund; 15 pays 15 of it (lot left empty); 40 pays the last 5 and keeps 35.
    expect([...changes.balances.values()]).toEqual([
      { before: 30, after: -20 },
      { before: -20, after: -5 },
      { before: -5, after: 35 },
    ]);
    expect(changes.created.map((l) => [l.key, l.points, l.remaining])).toEqual([
      ["earn-1", 15, 0],
      ["earn-2", 40, 35],
    ]);
  });

  it("a spend while in debt takes nothing from the lots and deepens the debt", () => {
    const lots = [lot("a", 10, 0, 1)];
    const changes = planLotChanges([mv("spend", -5)], new Map([[C, -20]]), lots);
    expect(lots[0]!.remaining).toBe(0);
    expect(changes.updated).toEqual([]);
    expect(changes.balances.get("mov_spend")).toEqual({ before: -20, after: -25 });
  });
});

describe("planLotChanges: pending points", () => {
  it("a pending credit waits on the pending account; a refund takes from it there; its release pays the debt first", () => {
    const changes = planLotChanges(
      [
        mv("tx:p", 80, { pendingDays: 14, minute: 1 }),
        mv("spend", -10, { minute: 2 }),
        mv("tx:r", -30, { kind: "reverse", sourceKey: "tx:p", minute: 3 }),
      ],
      new Map([[C, 0]]),
      [],
    );
    const pending = changes.created[0]!;
    expect(pending).toMatchObject({ key: "tx:p", points: 80, remaining: 50, released: false });
    expect(pending.availableAt).toEqual(new Date(at(1).getTime() + 14 * DAY));
    // Not spendable: the spend runs the balance into debt instead of touching the pending lot.
    expect(Object.fromEntries(changes.accountOf)).toEqual({
      "mov_tx:p": "points_pending",
      mov_spend: "points",
      "mov_tx:r": "points_pending",
    });
    expect(changes.balances.get("mov_tx:r")).toEqual({ before: -10, after: -10 });

    const stored = { ...pending, id: "lot_p", dirty: false };
    const release = planLotChanges(
      [mv("release:tx:p", 50, { kind: "release", sourceKey: "tx:p", minute: 14 * 24 * 60 + 2 })],
      new Map([[C, -10]]),
      [stored],
    );
    expect(release.updated).toEqual([{ id: "lot_p", remaining: 40, released: true }]);
    expect(release.balances.get("mov_release:tx:p")).toEqual({ before: -10, after: 40 });
    expect(release.accountOf.get("mov_release:tx:p")).toBe("points");
  });

  it("a refund of a stored pending lot writes that lot back, still unreleased, with what it holds now", () => {
    const lots = [lot("tx:p", 80, 80, 1, { released: false, availableAt: at(1 + 14 * 24 * 60) })];
    const changes = planLotChanges(
      [mv("tx:r", -30, { kind: "reverse", sourceKey: "tx:p", minute: 2 })],
      new Map([[C, 0]]),
      lots,
    );
    expect(changes.updated).toEqual([{ id: "lot_tx:p", remaining: 50, released: false }]);
    expect(changes.accountOf.get("mov_tx:r")).toBe("points_pending");
    expect(changes.balances.get("mov_tx:r")).toEqual({ before: 0, after: 0 });
  });

  it("a refund of a sale whose pending lot a merge moved takes it from that lot, still pending, not from the spendable", () => {
    // The till customer's pending 50 moved into the app account, which holds 30 spendable of its own.
    const moved = "merge:cus_till:in:lot:tx:sale";
    const lots = [lot("tx:own", 30, 30, 1), lot(moved, 50, 50, 2, { released: false, availableAt: at(14 * 24 * 60) })];
    const changes = planLotChanges(
      [mv("tx:refund", -50, { kind: "reverse", sourceKey: "tx:sale", minute: 3 })],
      new Map([[C, 30]]),
      lots,
    );
    expect(remaining(lots)).toEqual([
      ["tx:own", 30],
      [moved, 0],
    ]);
    expect(changes.accountOf.get("mov_tx:refund")).toBe("points_pending");
    expect(changes.balances.get("mov_tx:refund")).toEqual({ before: 30, after: 30 });
  });

  it("after a chain of merges too, and a spendable moved lot is the refund's first", () => {
    const moved = "merge:cus_b:in:lot:merge:cus_a:in:lot:tx:sale";
    const lots = [lot("tx:own", 100, 100, 1), lot(moved, 40, 40, 2)];
    planLotChanges(
      [mv("tx:refund", -60, { kind: "reverse", sourceKey: "tx:sale", minute: 3 })],
      new Map([[C, 140]]),
      lots,
    );
    expect(remaining(lots)).toEqual([
      ["tx:own", 80],
      [moved, 0],
    ]);
  });

  it("a lot of another customer under the key aimed at is not this debit's", () => {
    // The merged customer's emptied pending lot, loaded beside the survivor's moved one.
    const lots = [
      { ...lot("tx:sale", 50, 0, 1, { released: false, availableAt: at(14 * 24 * 60) }), customerId: "cus_till" },
      lot("merge:cus_till:in:lot:tx:sale", 50, 50, 1, { released: false, availableAt: at(14 * 24 * 60) }),
    ];
    const changes = planLotChanges(
      [mv("tx:refund", -50, { kind: "reverse", sourceKey: "tx:sale", minute: 3 })],
      new Map([[C, 0]]),
      lots,
    );
    expect(changes.updated).toEqual([{ id: "lot_merge:cus_till:in:lot:tx:sale", remaining: 0, released: false }]);
    expect(changes.accountOf.get("mov_tx:refund")).toBe("points_pending");
  });

  it("originalLotKey reads through every merge's key", () => {
    expect(originalLotKey("tx:sale")).toBe("tx:sale");
    expect(originalLotKey(mergeKey("cus_a", "in", "lot:tx:sale"))).toBe("tx:sale");
    expect(originalLotKey(mergeKey("cus_b", "in", `lot:${mergeKey("cus_a", "in", "lot:stamp:tx_1:card")}`))).toBe(
      "stamp:tx_1:card",
    );
    expect(originalLotKey(mergeKey("cus_a", "in", "points"))).toBe("merge:cus_a:in:points");
  });

  it("a spend skips an older lot that is still pending", () => {
    const lots = [lot("p", 100, 100, 1, { released: false, availableAt: at(1 + 14 * 24 * 60) }), lot("a", 60, 60, 2)];
    planLotChanges([mv("spend", -25, { minute: 3 })], new Map([[C, 60]]), lots);
    expect(remaining(lots)).toEqual([
      ["p", 100],
      ["a", 35],
    ]);
  });
});

describe("customersNeedingLots", () => {
  it("names the customers with a point debit or a release, not those who only earn nor wallet movements", () => {
    const needing = customersNeedingLots([
      mv("earn-a", 50, { customerId: "cus_earns" }),
      mv("spend-b", -20, { customerId: "cus_spends" }),
      mv("release-c", 30, { kind: "release", customerId: "cus_released", sourceKey: "p" }),
      mv("refund-d", -10, { kind: "reverse", customerId: "cus_refunded", sourceKey: "x" }),
      mv("wallet-e", -5, { customerId: "cus_wallet", unit: "wallet" }),
    ]);
    expect([...needing].sort()).toEqual(["cus_refunded", "cus_released", "cus_spends"]);
  });

  it("a credit pays a debt off from the balance alone: no lots read, the same plan", () => {
    const earn = [mv("e", 100, { minute: 5 })];
    const withLots = planLotChanges(earn, new Map([[C, -30]]), [lot("old", 40, 0, 1)]);
    const without = planLotChanges(earn, new Map([[C, -30]]), []);
    expect(without).toEqual(withLots);
    expect(without.created.map((l) => l.remaining)).toEqual([70]);
    expect(customersNeedingLots(earn).size).toBe(0);
  });
});

describe("planLotChanges: expiry", () => {
  it("an expiry names its lot: it takes that lot's points, not the oldest ones", () => {
    const lots = [lot("a", 30, 30, 1), lot("b", 40, 40, 2, { expiresAt: at(100) }), lot("c", 50, 50, 3)];
    const changes = planLotChanges(
      [mv("expire:lot:b", -40, { kind: "expire", sourceKey: "b", minute: 100 })],
      new Map([[C, 120]]),
      lots,
    );
    expect(remaining(lots)).toEqual([
      ["a", 30],
      ["b", 0],
      ["c", 50],
    ]);
    expect(changes.updated).toEqual([{ id: "lot_b", remaining: 0, released: true }]);
    expect(changes.balances.get("mov_expire:lot:b")).toEqual({ before: 120, after: 80 });
  });
});

/**
 * The store's view across batches: lots are inserted and updated from the planner's changes, and each
 * batch reloads the open ones oldest first. Releases and expiries run as their own jobs, one per batch,
 * each for what its lot holds at that moment (as `release-pending` and `expire-points` do).
 */
type Op =
  | { t: "earn"; amount: number; pending: boolean }
  | { t: "spend"; amount: number }
  | { t: "reverse"; amount: number; pick: number }
  | { t: "release"; pick: number }
  | { t: "expire"; pick: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant("earn" as const), amount: fc.integer({ min: 1, max: 200 }), pending: fc.boolean() }),
  fc.record({ t: fc.constant("spend" as const), amount: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ t: fc.constant("reverse" as const), amount: fc.integer({ min: 1, max: 200 }), pick: fc.nat() }),
  fc.record({ t: fc.constant("release" as const), pick: fc.nat() }),
  fc.record({ t: fc.constant("expire" as const), pick: fc.nat() }),
);

describe("planLotChanges: property", () => {
  it("lots never go negative nor above their points, and spendable lots always sum to the balance (0 in debt)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), (ops, batchSize) => {
        const store = new Map<string, Lot>();
        let balance = 0; // the spendable account, from the postings the planner's accounts imply
        let minute = 0;
        // What each credit's lot holds as the movements go, to size reversals, releases and expiries.
        const credits: { key: string; pending: boolean; held: number }[] = [];
        // Each movement with the account it must post to: pending credits and reversals of them wait apart.
        let batch: { m: FreshMovement; account: "points" | "points_pending" }[] = [];

        const flush = () => {
          if (!batch.length) return;
          const open = [...store.values()]
            .filter((l) => l.remaining > 0 || !l.released)
            .sort((a, b) => a.earnedAt.getTime() - b.earnedAt.getTime())
            .map((l) => ({ ...l, dirty: false }));
          const movements = batch.map((b) => b.m);
          // The store reads lots only for the customers that take from them; planning with every lot is the same.
          const withEveryLot = planLotChanges(
            movements,
            new Map([[C, balance]]),
            open.map((l) => ({ ...l })),
          );
          const changes = planLotChanges(
            movements,
            new Map([[C, balance]]),
            customersNeedingLots(movements).has(C) ? open : [],
          );
          expect(changes).toEqual(withEveryLot);
          for (const { m, account } of batch) {
            expect(changes.accountOf.get(m.id)).toBe(account);
            expect(changes.balances.get(m.id)?.before).toBe(balance);
            if (account === "points") balance += m.amount;
            expect(changes.balances.get(m.id)?.after).toBe(balance);
          }
          for (const l of changes.created) store.set(`lot_${l.key}`, { ...l, id: `lot_${l.key}` });
          for (const u of changes.updated)
            Object.assign(store.get(u.id)!, { remaining: u.remaining, released: u.released });
          batch = [];

          let spendable = 0;
          for (const l of store.values()) {
            expect(l.remaining).toBeGreaterThanOrEqual(0);
            expect(l.remaining).toBeLessThanOrEqual(l.points);
            if (l.released) spendable += l.remaining;
          }
          expect(spendable).toBe(Math.max(0, balance));
          // A pending lot holds its credit less what refunds took back while it waited.
          for (const c of credits) if (c.pending) expect(store.get(`lot_${c.key}`)?.remaining).toBe(c.held);
        };
        const pickFrom = <T>(xs: T[], n: number) => (xs.length ? xs[n % xs.length] : undefined);

        for (const [i, o] of ops.entries()) {
          minute += 1;
          const key = `k${i}`;
          if (o.t === "earn") {
            const m = mv(key, o.amount, o.pending ? { minute, pendingDays: 14 } : { minute });
            batch.push({ m, account: o.pending ? "points_pending" : "points" });
            credits.push({ key, pending: o.pending, held: o.amount });
          } else if (o.t === "spend") {
            batch.push({ m: mv(key, -o.amount, { minute }), account: "points" });
          } else if (o.t === "reverse") {
            // A refund of one sale: while its credit is pending, it takes back no more than that lot holds.
            const sale = pickFrom(credits, o.pick);
            const amount = sale?.pending ? Math.min(o.amount, sale.held) : o.amount;
            if (amount === 0) continue;
            if (sale?.pending) sale.held -= amount;
            const m = mv(key, -amount, { kind: "reverse", minute, sourceKey: sale?.key });
            batch.push({ m, account: sale?.pending ? "points_pending" : "points" });
          } else {
            flush();
            const open = [...store.values()].filter((l) =>
              o.t === "release" ? !l.released : l.released && l.remaining > 0,
            );
            const target = pickFrom(open, o.pick);
            if (!target) continue;
            const kind = o.t === "release" ? "release" : "expire";
            const amount = o.t === "release" ? target.remaining : -target.remaining;
            batch.push({
              m: mv(`${kind}:${target.key}`, amount, { kind, minute, sourceKey: target.key }),
              account: "points",
            });
            const credit = credits.find((c) => c.key === target.key);
            if (credit) credit.pending = false;
            flush();
          }
          if (batch.length >= batchSize) flush();
        }
        flush();
      }),
      { numRuns: 300 },
    );
  });
});
