import { LoyaltyEvent } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import type { MovementKind } from "@regulars/ledger";
import { movementEvents, type NewMovement } from "@regulars/ledger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postMovementsDetailed, trackMilestones } from "../src/index.ts";
import { tenantWithCustomers as sharedTenantWithCustomers } from "./fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const tenantWithCustomers = (count: number) => sharedTenantWithCustomers(db, count, "Milestones");

const T0 = new Date("2026-05-04T08:00:00Z").getTime();
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

interface Opts {
  kind?: MovementKind;
  at?: number;
  pendingDays?: number;
  sourceKey?: string;
  unit?: "points" | "wallet";
  transactionId?: string;
}

const mv = (
  tenantId: string,
  customerId: string,
  amount: number,
  idempotencyKey: string,
  o: Opts = {},
): NewMovement => {
  const occurredAt = at(o.at ?? 0);
  const m: NewMovement = {
    tenantId,
    customerId,
    kind: o.kind ?? (amount > 0 ? "earn" : "redeem"),
    unit: o.unit ?? "points",
    amount,
    idempotencyKey,
    occurredAt,
  };
  if (o.pendingDays !== undefined)
    m.lot = { availableAt: new Date(occurredAt.getTime() + o.pendingDays * 86_400_000), expiresAt: null };
  if (o.sourceKey) m.sourceKey = o.sourceKey;
  if (o.transactionId) m.transactionId = o.transactionId;
  return m;
};

/** Posts the movements and tracks milestones in one transaction, as the engine does. */
const postAndTrack = (thresholds: number[], movements: NewMovement[]) =>
  withTransaction(db, async (tx) => trackMilestones(tx, thresholds, await postMovementsDetailed(tx, movements)));

const crossingsOf = async (customerId: string) =>
  (
    await db.milestoneCrossing.findMany({
      where: { customerId },
      select: { threshold: true, crossing: true, above: true, tenantId: true },
      orderBy: [{ threshold: "asc" }, { crossing: "asc" }],
    })
  ).map((c) => ({ ...c, threshold: Number(c.threshold) }));

const milestone = (
  tenantId: string,
  customerId: string,
  threshold: number,
  crossing: number,
  balance: number,
  minute: number,
) => ({
  type: "points.milestone",
  id: `milestone:${customerId}:${threshold}:${crossing}`,
  tenantId,
  customerId,
  occurredAt: at(minute).toISOString(),
  threshold,
  balance,
  crossing,
});

describe("trackMilestones", () => {
  it("announces each upward crossing once; falling below and rising again is a new crossing", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    expect(await postAndTrack([100], [mv(tenantId, c!, 90, "earn:1", { at: 1 })])).toEqual([]);
    expect(await crossingsOf(c!)).toEqual([]);

    const first = await postAndTrack([100], [mv(tenantId, c!, 20, "earn:2", { at: 2 })]);
    expect(first).toEqual([milestone(tenantId, c!, 100, 1, 110, 2)]);
    expect(LoyaltyEvent.parse(first[0])).toEqual(first[0]);
    expect(await crossingsOf(c!)).toEqual([{ threshold: 100, crossing: 1, above: true, tenantId }]);

    // Still above: nothing, and no new row.
    expect(await postAndTrack([100], [mv(tenantId, c!, 50, "earn:3", { at: 3 })])).toEqual([]);
    expect(await crossingsOf(c!)).toEqual([{ threshold: 100, crossing: 1, above: true, tenantId }]);

    // Falling below announces nothing but closes the crossing.
    expect(await postAndTrack([100], [mv(tenantId, c!, -80, "redeem:1", { at: 4 })])).toEqual([]);
    expect(await crossingsOf(c!)).toEqual([{ threshold: 100, crossing: 1, above: false, tenantId }]);

    expect(await postAndTrack([100], [mv(tenantId, c!, 30, "earn:4", { at: 5 })])).toEqual([
      milestone(tenantId, c!, 100, 2, 110, 5),
    ]);
    expect(await crossingsOf(c!)).toEqual([
      { threshold: 100, crossing: 1, above: false, tenantId },
      { threshold: 100, crossing: 2, above: true, tenantId },
    ]);
  });

  it("walks one batch in order: a rise, a fall and a rise inside one call give crossings 1 and 2", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    const events = await postAndTrack(
      [100],
      [
        mv(tenantId, c!, 90, "earn:1", { at: 1 }),
        mv(tenantId, c!, 20, "earn:2", { at: 2 }),
        mv(tenantId, c!, 50, "earn:3", { at: 3 }),
        mv(tenantId, c!, -80, "redeem:1", { at: 4 }),
        mv(tenantId, c!, 30, "earn:4", { at: 5 }),
      ],
    );
    expect(events).toEqual([milestone(tenantId, c!, 100, 1, 110, 2), milestone(tenantId, c!, 100, 2, 110, 5)]);
    expect(await crossingsOf(c!)).toEqual([
      { threshold: 100, crossing: 1, above: false, tenantId },
      { threshold: 100, crossing: 2, above: true, tenantId },
    ]);

    // The stored state carries over to the next call: fall, then land exactly on the threshold.
    expect(await postAndTrack([100], [mv(tenantId, c!, -11, "redeem:2", { at: 6 })])).toEqual([]);
    expect(await postAndTrack([100], [mv(tenantId, c!, 1, "earn:5", { at: 7 })])).toEqual([
      milestone(tenantId, c!, 100, 3, 100, 7),
    ]);
  });

  it("a rise and fall inside one batch is announced and leaves the crossing closed", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    const events = await postAndTrack(
      [100],
      [mv(tenantId, c!, 120, "earn:1", { at: 1 }), mv(tenantId, c!, -30, "redeem:1", { at: 2 })],
    );
    expect(events).toEqual([milestone(tenantId, c!, 100, 1, 120, 1)]);
    expect(await crossingsOf(c!)).toEqual([{ threshold: 100, crossing: 1, above: false, tenantId }]);
    expect(await postAndTrack([100], [mv(tenantId, c!, 15, "earn:2", { at: 3 })])).toEqual([
      milestone(tenantId, c!, 100, 2, 105, 3),
    ]);
  });

  it("one movement over several thresholds announces each of them; customers are tracked apart", async () => {
    const {
      tenantId,
      customers: [c, d],
    } = await tenantWithCustomers(2);
    const events = await postAndTrack(
      [100, 200, 500],
      [
        mv(tenantId, c!, 250, "c:1", { at: 1 }),
        mv(tenantId, d!, 150, "d:1", { at: 2 }),
        mv(tenantId, d!, -60, "d:2", { at: 3 }),
        mv(tenantId, d!, 70, "d:3", { at: 4 }),
      ],
    );
    expect(events).toEqual([
      milestone(tenantId, c!, 100, 1, 250, 1),
      milestone(tenantId, c!, 200, 1, 250, 1),
      milestone(tenantId, d!, 100, 1, 150, 2),
      milestone(tenantId, d!, 100, 2, 160, 4),
    ]);
    expect((await crossingsOf(c!)).map((r) => [r.threshold, r.crossing, r.above])).toEqual([
      [100, 1, true],
      [200, 1, true],
    ]);
    // Falling below 200 only closes that threshold.
    expect(await postAndTrack([100, 200, 500], [mv(tenantId, c!, -100, "c:2", { at: 5 })])).toEqual([]);
    expect((await crossingsOf(c!)).map((r) => [r.threshold, r.crossing, r.above])).toEqual([
      [100, 1, true],
      [200, 1, false],
    ]);
  });

  it("counts the spendable balance: a pending credit crosses nothing, its release does; debt is climbed out of", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await postAndTrack([100], [mv(tenantId, c!, -15, "adjust:1", { at: 0, kind: "adjust" })]);
    expect(await postAndTrack([100], [mv(tenantId, c!, 200, "earn:p", { at: 1, pendingDays: 14 })])).toEqual([]);
    expect(await crossingsOf(c!)).toEqual([]);
    expect(
      await postAndTrack([100], [mv(tenantId, c!, 200, "release:p", { at: 2, kind: "release", sourceKey: "earn:p" })]),
    ).toEqual([milestone(tenantId, c!, 100, 1, 185, 2)]);
  });

  it("a replay announces nothing again", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    const batch = [mv(tenantId, c!, 90, "earn:1", { at: 1 }), mv(tenantId, c!, 20, "earn:2", { at: 2 })];
    expect(await postAndTrack([100], batch)).toHaveLength(1);
    expect(await postAndTrack([100], batch)).toEqual([]);
    expect(await postAndTrack([100], [batch[1]!])).toEqual([]);
    expect(await crossingsOf(c!)).toEqual([{ threshold: 100, crossing: 1, above: true, tenantId }]);
  });

  it("without thresholds it announces nothing and records nothing", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    expect(await postAndTrack([], [mv(tenantId, c!, 500, "earn:1", { at: 1 })])).toEqual([]);
    expect(await crossingsOf(c!)).toEqual([]);
    expect(await withTransaction(db, (tx) => trackMilestones(tx, [100], []))).toEqual([]);
  });
});

describe("movementEvents", () => {
  it("earn, redeem and expire give events; a release, a reversal and wallet movements give none", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    const txn = newId("transaction");
    const posted = await withTransaction(db, (tx) =>
      postMovementsDetailed(tx, [
        mv(tenantId, c!, 40, "earn:1", { at: 1, transactionId: txn }),
        mv(tenantId, c!, 60, "earn:p", { at: 2, pendingDays: 14, transactionId: txn }),
        mv(tenantId, c!, 5, "bonus:1", { at: 3, kind: "bonus" }),
        mv(tenantId, c!, -10, "redeem:1", { at: 4, transactionId: txn }),
        mv(tenantId, c!, -3, "expire:1", { at: 5, kind: "expire" }),
        mv(tenantId, c!, 60, "release:p", { at: 6, kind: "release", sourceKey: "earn:p" }),
        mv(tenantId, c!, -7, "reverse:1", { at: 7, kind: "reverse" }),
        mv(tenantId, c!, 300, "wallet:1", { at: 8, unit: "wallet" }),
      ]),
    );
    const idOf = (key: string) => posted.find((p) => p.idempotencyKey === key)!.id;
    const base = (kind: string, key: string, minute: number) => ({
      id: `${kind}:${idOf(key)}`,
      tenantId,
      customerId: c!,
      occurredAt: at(minute).toISOString(),
    });
    const events = movementEvents(posted);
    expect(events).toEqual([
      {
        ...base("earn", "earn:1", 1),
        type: "points.earned",
        points: 40,
        movementKind: "earn",
        transactionId: txn,
        pending: false,
        balance: 40,
      },
      {
        ...base("earn", "earn:p", 2),
        type: "points.earned",
        points: 60,
        movementKind: "earn",
        transactionId: txn,
        pending: true,
        balance: 40,
      },
      {
        ...base("bonus", "bonus:1", 3),
        type: "points.earned",
        points: 5,
        movementKind: "bonus",
        transactionId: null,
        pending: false,
        balance: 45,
      },
      { ...base("redeem", "redeem:1", 4), type: "points.redeemed", points: 10, transactionId: txn, balance: 35 },
      { ...base("expire", "expire:1", 5), type: "points.expired", points: 3, balance: 32 },
    ]);
    for (const e of events) expect(LoyaltyEvent.parse(e)).toEqual(e);
    expect(movementEvents([])).toEqual([]);
  });
});
