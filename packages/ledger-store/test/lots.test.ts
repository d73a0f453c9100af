import { type Db, withTransaction } from "@regulars/db";
import type { MovementKind, NewMovement } from "@regulars/ledger";
import { eventually, testDb } from "@regulars/testing";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { customerBalances, findBalanceDrift, postMovements, postMovementsDetailed } from "../src/index.ts";
import { tenantWithCustomers as sharedTenantWithCustomers } from "./fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const tenantWithCustomers = (count: number) => sharedTenantWithCustomers(db, count, "Lots");

const post = (movements: NewMovement[]) => withTransaction(db, (tx) => postMovements(tx, movements));
const postDetailed = (movements: NewMovement[]) => withTransaction(db, (tx) => postMovementsDetailed(tx, movements));

const T0 = new Date("2026-03-02T10:00:00Z").getTime();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Minutes after T0: every movement in a test gets its own moment, so FIFO order is unambiguous. */
const at = (minutes: number) => new Date(T0 + minutes * MINUTE);

interface Opts {
  kind?: MovementKind;
  at?: number;
  pendingDays?: number;
  expiresAt?: Date | null;
  sourceKey?: string;
  unit?: "points" | "wallet";
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
  if (o.pendingDays !== undefined || o.expiresAt !== undefined) {
    m.lot = {
      availableAt: new Date(occurredAt.getTime() + (o.pendingDays ?? 0) * DAY),
      expiresAt: o.expiresAt ?? null,
    };
  }
  if (o.sourceKey) m.sourceKey = o.sourceKey;
  return m;
};

interface LotRow {
  id: bigint;
  key: string;
  points: number;
  remaining: number;
  released: boolean;
  earned_at: Date;
  available_at: Date;
  expires_at: Date | null;
}

/** A customer's lots in FIFO order, with the idempotency key of the credit that opened each. */
const lotsOf = (customerId: string) =>
  db.$queryRaw<LotRow[]>`
    SELECT l.id, m.idempotency_key AS key, l.points::int, l.remaining::int, l.released, l.earned_at, l.available_at, l.expires_at
    FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
    WHERE l.customer_id = ${customerId} ORDER BY l.earned_at, l.id`;

const remainingOf = async (customerId: string) => (await lotsOf(customerId)).map((l) => l.remaining);
const lotByKey = async (customerId: string, key: string) => {
  const lot = (await lotsOf(customerId)).find((l) => l.key === key);
  if (!lot) throw new Error(`no lot for ${key}`);
  return lot;
};

/** A customer's balances as `customerBalances` gives them: the ones named, and 0 for the rest. */
const balancesWith = (named: Partial<Awaited<ReturnType<typeof customerBalances>>>) => ({
  points: 0,
  pendingPoints: 0,
  wallet: 0,
  heldPoints: 0,
  heldWallet: 0,
  ...named,
});

/** Sum of remaining points over spendable (released) and pending (unreleased) lots. */
async function lotTotals(customerId: string) {
  const lots = await lotsOf(customerId);
  const sum = (ls: LotRow[]) => ls.reduce((a, l) => a + l.remaining, 0);
  return { released: sum(lots.filter((l) => l.released)), pending: sum(lots.filter((l) => !l.released)) };
}

/** The invariants that tie lots to the ledger: they must hold after every posting. */
async function expectConsistent(tenantId: string, customerId: string) {
  const balances = await customerBalances(db, tenantId, customerId);
  const totals = await lotTotals(customerId);
  expect(totals.released, "released lots vs spendable balance").toBe(Math.max(0, balances.points));
  expect(totals.pending, "unreleased lots vs pending account").toBe(balances.pendingPoints);
  expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  const unbalanced = await db.$queryRaw<{ movement_id: string }[]>`
    SELECT e.movement_id FROM ledger_entries e WHERE e.tenant_id = ${tenantId} GROUP BY e.movement_id HAVING sum(e.amount) <> 0 OR count(*) <> 2`;
  expect(unbalanced).toEqual([]);
  return balances;
}

/** Entries of one movement as owner/kind → amount. */
async function entriesOf(tenantId: string, key: string) {
  const rows = await db.$queryRaw<{ owner: string; kind: string; amount: number }[]>`
    SELECT a.owner, a.kind, e.amount::int FROM ledger_entries e
    JOIN ledger_movements m ON m.id = e.movement_id JOIN ledger_accounts a ON a.id = e.account_id
    WHERE m.tenant_id = ${tenantId} AND m.idempotency_key = ${key}`;
  return Object.fromEntries(rows.map((r) => [`${r.owner === "tenant" ? "tenant" : "customer"}/${r.kind}`, r.amount]));
}

describe("point lots: first in, first out", () => {
  it("debits consume the oldest lots first and the lots always add up to the balance", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, 10, "earn:t1", { at: 1 })]);
    await post([mv(tenantId, c!, 20, "earn:t2", { at: 2 })]);
    await post([mv(tenantId, c!, 30, "earn:t3", { at: 3 })]);
    const lots = await lotsOf(c!);
    expect(lots.map((l) => ({ key: l.key, points: l.points, remaining: l.remaining, released: l.released }))).toEqual([
      { key: "earn:t1", points: 10, remaining: 10, released: true },
      { key: "earn:t2", points: 20, remaining: 20, released: true },
      { key: "earn:t3", points: 30, remaining: 30, released: true },
    ]);
    // Without a lot spec the credit is spendable at once, earned when it occurred, and never expires.
    expect(lots.map((l) => [l.earned_at, l.available_at, l.expires_at])).toEqual(
      [1, 2, 3].map((m) => [at(m), at(m), null]),
    );

    await post([mv(tenantId, c!, -25, "redeem:t4", { at: 4 })]);
    expect(await remainingOf(c!)).toEqual([0, 5, 30]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(35);

    await post([mv(tenantId, c!, -10, "redeem:t5", { at: 5, kind: "expire" })]);
    expect(await remainingOf(c!)).toEqual([0, 0, 25]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(25);
    // The spent lots keep their original size.
    expect((await lotsOf(c!)).map((l) => l.points)).toEqual([10, 20, 30]);
  });

  it("gives the same lots when everything is posted in one call", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([
      mv(tenantId, c!, 10, "earn:t1", { at: 1 }),
      mv(tenantId, c!, 20, "earn:t2", { at: 2 }),
      mv(tenantId, c!, 30, "earn:t3", { at: 3 }),
      mv(tenantId, c!, -25, "redeem:t4", { at: 4 }),
      mv(tenantId, c!, -10, "redeem:t5", { at: 5 }),
    ]);
    expect(await remainingOf(c!)).toEqual([0, 0, 25]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(25);
  });

  it("keeps each customer's lots apart when several customers share a batch", async () => {
    const {
      tenantId,
      customers: [c, d],
    } = await tenantWithCustomers(2);
    await post([
      mv(tenantId, c!, 10, "c:1", { at: 1 }),
      mv(tenantId, d!, 40, "d:1", { at: 1 }),
      mv(tenantId, c!, 20, "c:2", { at: 2 }),
      mv(tenantId, d!, -15, "d:2", { at: 3 }),
      mv(tenantId, c!, -12, "c:3", { at: 4 }),
    ]);
    expect(await remainingOf(c!)).toEqual([0, 18]);
    expect(await remainingOf(d!)).toEqual([25]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(18);
    expect((await expectConsistent(tenantId, d!)).points).toBe(25);
  });

  it("wallet movements open no lots", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([
      mv(tenantId, c!, 500, "wallet:1", { unit: "wallet" }),
      mv(tenantId, c!, -200, "wallet:2", { unit: "wallet" }),
    ]);
    expect(await lotsOf(c!)).toEqual([]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ wallet: 300 }));
  });
});

describe("point lots: a negative balance (debt)", () => {
  it("a refund after spending leaves debt that the next credits pay off first", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, 10, "earn:1", { at: 1 })]);
    await post([mv(tenantId, c!, -25, "reverse:1", { at: 2, kind: "reverse" })]);
    expect((await customerBalances(db, tenantId, c!)).points).toBe(-15);
    expect(await remainingOf(c!)).toEqual([0]);
    await expectConsistent(tenantId, c!);

    await post([mv(tenantId, c!, 20, "earn:2", { at: 3 })]);
    expect((await lotByKey(c!, "earn:2")).remaining).toBe(5);
    expect((await lotByKey(c!, "earn:2")).points).toBe(20);
    expect((await expectConsistent(tenantId, c!)).points).toBe(5);

    await post([mv(tenantId, c!, 7, "earn:3", { at: 4 })]);
    expect(await remainingOf(c!)).toEqual([0, 5, 7]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(12);
  });

  it("a credit smaller than the debt leaves an empty lot and the rest of the debt", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, -30, "adjust:1", { at: 1, kind: "adjust" })]);
    await post([mv(tenantId, c!, 12, "earn:1", { at: 2 })]);
    expect(await remainingOf(c!)).toEqual([0]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(-18);
    await post([mv(tenantId, c!, 18, "earn:2", { at: 3 })]);
    expect(await remainingOf(c!)).toEqual([0, 0]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(0);
    await post([mv(tenantId, c!, 4, "earn:3", { at: 4 })]);
    expect(await remainingOf(c!)).toEqual([0, 0, 4]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(4);
  });

  it("debt paid inside one batch gives the same lots as across batches", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([
      mv(tenantId, c!, 10, "earn:1", { at: 1 }),
      mv(tenantId, c!, -25, "reverse:1", { at: 2, kind: "reverse" }),
      mv(tenantId, c!, 20, "earn:2", { at: 3 }),
      mv(tenantId, c!, 7, "earn:3", { at: 4 }),
    ]);
    expect(await remainingOf(c!)).toEqual([0, 5, 7]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(12);
  });
});

describe("point lots: pending points", () => {
  it("a pending credit sits on the pending account until its release makes it spendable", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    const [earned] = await postDetailed([mv(tenantId, c!, 50, "earn:pending", { at: 1, pendingDays: 14 })]);
    expect(earned).toMatchObject({ account: "points_pending", balance: { before: 0, after: 0 } });
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ pendingPoints: 50 }));
    const lot = await lotByKey(c!, "earn:pending");
    expect(lot).toMatchObject({
      points: 50,
      remaining: 50,
      released: false,
      earned_at: at(1),
      available_at: new Date(at(1).getTime() + 14 * DAY),
    });
    expect(await entriesOf(tenantId, "earn:pending")).toEqual({
      "customer/points_pending": 50,
      "tenant/points_issued": -50,
    });
    await expectConsistent(tenantId, c!);

    // Pending points cannot be spent: a debit now drives the spendable balance negative, the pending lot is untouched.
    await post([mv(tenantId, c!, -5, "redeem:early", { at: 2 })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: -5, pendingPoints: 50 }));
    expect((await lotByKey(c!, "earn:pending")).remaining).toBe(50);
    await expectConsistent(tenantId, c!);

    await post([
      mv(tenantId, c!, 50, "release:pending", { at: 14 * 24 * 60 + 1, kind: "release", sourceKey: "earn:pending" }),
    ]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 45 }));
    expect(await lotByKey(c!, "earn:pending")).toMatchObject({ points: 50, remaining: 45, released: true });
    // A release moves points between the customer's two accounts; the tenant's books do not move.
    expect(await entriesOf(tenantId, "release:pending")).toEqual({
      "customer/points": 50,
      "customer/points_pending": -50,
    });
    const issued = await db.ledgerAccount.findUniqueOrThrow({
      where: { tenantId_owner_kind: { tenantId, owner: "tenant", kind: "points_issued" } },
    });
    expect(issued.balance).toBe(-45n);
    await expectConsistent(tenantId, c!);
  });

  it("release without debt: points 50, pending 0, lot released with everything remaining", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, 50, "earn:p", { at: 1, pendingDays: 14 })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ pendingPoints: 50 }));
    await post([mv(tenantId, c!, 50, "release:p", { at: 2, kind: "release", sourceKey: "earn:p" })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 50 }));
    expect(await lotByKey(c!, "earn:p")).toMatchObject({ remaining: 50, released: true });
    await expectConsistent(tenantId, c!);
    // Once released, the lot is spent like any other, oldest first.
    await post([mv(tenantId, c!, 5, "earn:later", { at: 3 }), mv(tenantId, c!, -52, "redeem:1", { at: 4 })]);
    expect(await remainingOf(c!)).toEqual([0, 3]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(3);
  });

  it("a release pays debt first: balance −15, release of a pending 20 → balance 5, lot remaining 5", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([
      mv(tenantId, c!, 10, "earn:1", { at: 1 }),
      mv(tenantId, c!, -25, "reverse:1", { at: 2, kind: "reverse" }),
    ]);
    // A pending credit does not pay the debt while it is pending.
    await post([mv(tenantId, c!, 20, "earn:pending", { at: 3, pendingDays: 7 })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: -15, pendingPoints: 20 }));
    expect(await lotByKey(c!, "earn:pending")).toMatchObject({ remaining: 20, released: false });
    await expectConsistent(tenantId, c!);

    await post([mv(tenantId, c!, 20, "release:1", { at: 4, kind: "release", sourceKey: "earn:pending" })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 5 }));
    expect(await lotByKey(c!, "earn:pending")).toMatchObject({ points: 20, remaining: 5, released: true });
    await expectConsistent(tenantId, c!);
  });

  it("a pending credit and its release in one batch", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([
      mv(tenantId, c!, -8, "adjust:1", { at: 0, kind: "adjust" }),
      mv(tenantId, c!, 30, "earn:p", { at: 1, pendingDays: 3 }),
      mv(tenantId, c!, 30, "release:p", { at: 2, kind: "release", sourceKey: "earn:p" }),
    ]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 22 }));
    expect(await lotByKey(c!, "earn:p")).toMatchObject({ remaining: 22, released: true });
    await expectConsistent(tenantId, c!);
  });

  it("a reversal of a still-pending credit comes off the pending account and that lot, not the spendable balance", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, 30, "earn:old", { at: 1 })]);
    await post([mv(tenantId, c!, 50, "earn:pending", { at: 2, pendingDays: 14 })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 30, pendingPoints: 50 }));

    // Partial refund of the pending sale.
    const [partial] = await postDetailed([
      mv(tenantId, c!, -20, "reverse:1", { at: 3, kind: "reverse", sourceKey: "earn:pending" }),
    ]);
    expect(partial).toMatchObject({ account: "points_pending", balance: { before: 30, after: 30 } });
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 30, pendingPoints: 30 }));
    expect(await lotByKey(c!, "earn:pending")).toMatchObject({ points: 50, remaining: 30, released: false });
    expect(await lotByKey(c!, "earn:old")).toMatchObject({ remaining: 30, released: true });
    expect(await entriesOf(tenantId, "reverse:1")).toEqual({
      "customer/points_pending": -20,
      "tenant/points_issued": 20,
    });
    await expectConsistent(tenantId, c!);

    // Full refund of what is left of it.
    await post([mv(tenantId, c!, -30, "reverse:2", { at: 4, kind: "reverse", sourceKey: "earn:pending" })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 30 }));
    expect(await lotByKey(c!, "earn:pending")).toMatchObject({ remaining: 0, released: false });
    expect(await lotByKey(c!, "earn:old")).toMatchObject({ remaining: 30 });
    await expectConsistent(tenantId, c!);
  });

  it("a partly reversed pending credit releases what is left", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, 50, "earn:p", { at: 1, pendingDays: 14 })]);
    await post([mv(tenantId, c!, -20, "reverse:p", { at: 2, kind: "reverse", sourceKey: "earn:p" })]);
    await post([mv(tenantId, c!, 30, "release:p", { at: 3, kind: "release", sourceKey: "earn:p" })]);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 30 }));
    expect(await lotByKey(c!, "earn:p")).toMatchObject({ points: 50, remaining: 30, released: true });
    await expectConsistent(tenantId, c!);
  });

  it("a reversal naming an already released credit comes off the spendable balance", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, 50, "earn:p", { at: 1, pendingDays: 14 })]);
    await post([mv(tenantId, c!, 50, "release:p", { at: 2, kind: "release", sourceKey: "earn:p" })]);
    const [rev] = await postDetailed([
      mv(tenantId, c!, -20, "reverse:p", { at: 3, kind: "reverse", sourceKey: "earn:p" }),
    ]);
    expect(rev).toMatchObject({ account: "points", balance: { before: 50, after: 30 } });
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 30 }));
    expect(await lotByKey(c!, "earn:p")).toMatchObject({ remaining: 30, released: true });
    await expectConsistent(tenantId, c!);
  });

  it("a debit naming a released credit (its refund, its expiry) takes from that lot first, then first in first out", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([
      mv(tenantId, c!, 10, "earn:a", { at: 1 }),
      mv(tenantId, c!, 20, "earn:b", { at: 2 }),
      mv(tenantId, c!, 30, "earn:c", { at: 3 }),
    ]);
    await post([mv(tenantId, c!, -25, "reverse:b", { at: 4, kind: "reverse", sourceKey: "earn:b" })]);
    expect((await lotsOf(c!)).map((l) => [l.key, l.remaining])).toEqual([
      ["earn:a", 5],
      ["earn:b", 0],
      ["earn:c", 30],
    ]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(35);
    await post([mv(tenantId, c!, -12, "expire:c", { at: 5, kind: "expire", sourceKey: "earn:c" })]);
    expect(await remainingOf(c!)).toEqual([5, 0, 18]);
    expect((await expectConsistent(tenantId, c!)).points).toBe(23);
  });

  it("sources are looked up per tenant: the same credit key in two tenants, released in one batch", async () => {
    const a = await tenantWithCustomers(1);
    const b = await tenantWithCustomers(1);
    const [ca, cb] = [a.customers[0]!, b.customers[0]!];
    await post([mv(a.tenantId, ca, 40, "tx:1", { at: 1, pendingDays: 14 })]);
    await post([mv(b.tenantId, cb, 70, "tx:1", { at: 1, pendingDays: 14 })]);
    expect(await customerBalances(db, b.tenantId, cb)).toEqual(balancesWith({ pendingPoints: 70 }));
    // Different release keys, so only the lookup of the source can mix the tenants up.
    await post([
      mv(a.tenantId, ca, 40, "release:a", { at: 2, kind: "release", sourceKey: "tx:1" }),
      mv(b.tenantId, cb, 70, "release:b", { at: 2, kind: "release", sourceKey: "tx:1" }),
    ]);
    expect(await customerBalances(db, a.tenantId, ca)).toEqual(balancesWith({ points: 40 }));
    expect(await customerBalances(db, b.tenantId, cb)).toEqual(balancesWith({ points: 70 }));
    expect(await lotsOf(ca)).toMatchObject([{ remaining: 40, released: true }]);
    expect(await lotsOf(cb)).toMatchObject([{ remaining: 70, released: true }]);
  });

  it("stores expiresAt exactly as given, pending or not, and keeps it through a release", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    // Relative to now, to the millisecond: what is stored is what was given.
    const e1 = new Date(Date.now() + 90 * 86_400_000 + 123);
    const e2 = new Date(Date.now() + 150 * 86_400_000 + 999);
    await post([
      mv(tenantId, c!, 10, "earn:1", { at: 1, expiresAt: e1 }),
      mv(tenantId, c!, 20, "earn:2", { at: 2, pendingDays: 14, expiresAt: e2 }),
      mv(tenantId, c!, 30, "earn:3", { at: 3, expiresAt: null }),
    ]);
    expect((await lotsOf(c!)).map((l) => [l.key, l.expires_at, l.released])).toEqual([
      ["earn:1", e1, true],
      ["earn:2", e2, false],
      ["earn:3", null, true],
    ]);
    await post([mv(tenantId, c!, 20, "release:2", { at: 4, kind: "release", sourceKey: "earn:2" })]);
    expect(await lotByKey(c!, "earn:2")).toMatchObject({
      expires_at: e2,
      released: true,
      available_at: new Date(at(2).getTime() + 14 * DAY),
    });
  });
});

describe("point lots: replays", () => {
  it("posting the same movements again changes no lot and no balance", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    const batches: NewMovement[][] = [
      [mv(tenantId, c!, 10, "earn:1", { at: 1 }), mv(tenantId, c!, 40, "earn:p", { at: 2, pendingDays: 14 })],
      [mv(tenantId, c!, -25, "reverse:1", { at: 3, kind: "reverse" }), mv(tenantId, c!, 20, "earn:2", { at: 4 })],
      [mv(tenantId, c!, -10, "reverse:p", { at: 5, kind: "reverse", sourceKey: "earn:p" })],
      [
        mv(tenantId, c!, 30, "release:p", { at: 6, kind: "release", sourceKey: "earn:p" }),
        mv(tenantId, c!, -12, "redeem:1", { at: 7 }),
      ],
    ];
    for (const b of batches) await post(b);
    const lots = await lotsOf(c!);
    const balances = await expectConsistent(tenantId, c!);
    expect(balances).toEqual(balancesWith({ points: 23 }));
    // FIFO by earning time: the released pending lot (earned at 2) is spent before earn:2 (earned at 4).
    expect(lots.map((l) => [l.key, l.remaining])).toEqual([
      ["earn:1", 0],
      ["earn:p", 18],
      ["earn:2", 5],
    ]);

    for (const b of batches) expect(await post(b)).toEqual(new Set());
    expect(await post(batches.flat())).toEqual(new Set());
    expect(await postDetailed(batches.flat().reverse())).toEqual([]);
    // The same keys with other amounts are still replays.
    expect(await post(batches.flat().map((m) => ({ ...m, amount: m.amount * 3 })))).toEqual(new Set());
    expect(await lotsOf(c!)).toEqual(lots);
    expect(await customerBalances(db, tenantId, c!)).toEqual(balances);
    await expectConsistent(tenantId, c!);
  });

  it("a replayed key next to a new movement posts only the new one", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(1);
    await post([mv(tenantId, c!, 10, "earn:1", { at: 1 }), mv(tenantId, c!, 20, "earn:2", { at: 2 })]);
    expect(
      await post([mv(tenantId, c!, 10, "earn:1", { at: 1 }), mv(tenantId, c!, -15, "redeem:1", { at: 3 })]),
    ).toEqual(new Set(["redeem:1"]));
    expect(await remainingOf(c!)).toEqual([0, 15]);
    expect(await db.pointLot.count({ where: { customerId: c! } })).toBe(2);
    expect((await expectConsistent(tenantId, c!)).points).toBe(15);
  });
});

describe("idempotency keys are per tenant", () => {
  it("the same key for two tenants in one batch posts both", async () => {
    const a = await tenantWithCustomers(1);
    const b = await tenantWithCustomers(1);
    const [ca, cb] = [a.customers[0]!, b.customers[0]!];
    const posted = await postDetailed([
      mv(a.tenantId, ca, 40, "tx:1", { at: 1 }),
      mv(b.tenantId, cb, 70, "tx:1", { at: 1 }),
    ]);
    expect(posted.map((p) => [p.tenantId, p.amount])).toEqual([
      [a.tenantId, 40],
      [b.tenantId, 70],
    ]);
    expect((await customerBalances(db, a.tenantId, ca)).points).toBe(40);
    expect((await customerBalances(db, b.tenantId, cb)).points).toBe(70);
    expect(await remainingOf(cb)).toEqual([70]);
  });
});

describe("postMovementsDetailed", () => {
  it("returns each posted movement in order with its account and the spendable balance before and after", async () => {
    const {
      tenantId,
      customers: [c, d],
    } = await tenantWithCustomers(2);
    await post([mv(tenantId, c!, 7, "earn:0", { at: 0 })]);
    const posted = await postDetailed([
      mv(tenantId, c!, 10, "earn:1", { at: 1 }),
      mv(tenantId, c!, 50, "earn:p", { at: 2, pendingDays: 14 }),
      mv(tenantId, d!, 3, "d:earn", { at: 2 }),
      mv(tenantId, c!, -4, "redeem:1", { at: 3 }),
      mv(tenantId, c!, 500, "wallet:1", { at: 3, unit: "wallet" }),
      mv(tenantId, c!, 0, "zero", { at: 3 }),
      mv(tenantId, c!, 50, "release:p", { at: 4, kind: "release", sourceKey: "earn:p" }),
      mv(tenantId, c!, 99, "earn:1", { at: 5 }), // same key again inside the batch: the first wins
      mv(tenantId, c!, -70, "reverse:1", { at: 6, kind: "reverse" }),
    ]);
    expect(
      posted.map((p) => ({
        key: p.idempotencyKey,
        customer: p.customerId,
        account: p.account,
        balance: p.balance,
        amount: p.amount,
      })),
    ).toEqual([
      { key: "earn:1", customer: c, account: "points", balance: { before: 7, after: 17 }, amount: 10 },
      { key: "earn:p", customer: c, account: "points_pending", balance: { before: 17, after: 17 }, amount: 50 },
      { key: "d:earn", customer: d, account: "points", balance: { before: 0, after: 3 }, amount: 3 },
      { key: "redeem:1", customer: c, account: "points", balance: { before: 17, after: 13 }, amount: -4 },
      { key: "wallet:1", customer: c, account: "wallet", balance: null, amount: 500 },
      { key: "release:p", customer: c, account: "points", balance: { before: 13, after: 63 }, amount: 50 },
      { key: "reverse:1", customer: c, account: "points", balance: { before: 63, after: -7 }, amount: -70 },
    ]);
    expect(posted.every((p) => p.id.startsWith("mov_"))).toBe(true);
    const stored = await db.ledgerMovement.findMany({
      where: { tenantId },
      select: { id: true, idempotencyKey: true },
    });
    expect(new Map(posted.map((p) => [p.idempotencyKey, p.id]))).toEqual(
      new Map(stored.filter((s) => s.idempotencyKey !== "earn:0").map((s) => [s.idempotencyKey, s.id])),
    );

    // The next call starts from the stored balance.
    const [next] = await postDetailed([mv(tenantId, c!, 12, "earn:2", { at: 7 })]);
    expect(next!.balance).toEqual({ before: -7, after: 5 });
    expect(await customerBalances(db, tenantId, c!)).toEqual(balancesWith({ points: 5, wallet: 500 }));
    await expectConsistent(tenantId, c!);
  });
});

describe("point lots: one customer's movements apply in order", () => {
  // Two transactions for a customer who has no spendable account yet: the second one must see the
  // first one's credit (and its lot) before it plans its debit, like it does for an existing customer.
  for (const existing of [true, false]) {
    it(`a debit racing a credit keeps the lots equal to the balance (${existing ? "existing" : "new"} customer)`, async () => {
      const {
        tenantId,
        customers: [c],
      } = await tenantWithCustomers(1);
      if (existing) {
        await post([mv(tenantId, c!, 5, "earn:0", { at: 0 }), mv(tenantId, c!, -5, "redeem:0", { at: 0 })]);
      }
      let commitFirst!: () => void;
      const hold = new Promise<void>((r) => {
        commitFirst = r;
      });
      let firstPosted!: () => void;
      const posted = new Promise<void>((r) => {
        firstPosted = r;
      });
      let firstPid = 0;
      const first = withTransaction(
        db,
        async (tx) => {
          firstPid = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
          await postMovements(tx, [mv(tenantId, c!, 10, "earn:1", { at: 1 })]);
          firstPosted();
          await hold;
        },
        { attempts: 1 },
      );
      await posted;
      const second = post([mv(tenantId, c!, -4, "redeem:1", { at: 2 })]);
      // Wait until the second writer is blocked behind the first one's locks, then let the first commit.
      await eventually("the second writer to wait for a lock", async () => {
        const [row] = await db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE ${firstPid}::int = ANY(pg_blocking_pids(pid))`;
        return row!.n > 0 ? true : undefined;
      });
      commitFirst();
      await first;
      await second;
      expect(await customerBalances(db, tenantId, c!)).toMatchObject({ points: 6, pendingPoints: 0 });
      expect((await lotByKey(c!, "earn:1")).remaining).toBe(6);
      await expectConsistent(tenantId, c!);
    });
  }
});

/**
 * Random credits (some pending, released later or partly reversed while pending) and debits for one
 * customer, posted in random batches: the lots always match the accounts, and a replay changes nothing.
 */
describe("point lots: property", () => {
  type Op =
    | { t: "credit"; amount: number; pending: boolean }
    | { t: "debit"; amount: number; kind: MovementKind }
    | { t: "release"; pick: number }
    | { t: "reversePending"; pick: number; share: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ t: fc.constant("credit" as const), amount: fc.integer({ min: 1, max: 100 }), pending: fc.boolean() }),
    fc.record({
      t: fc.constant("debit" as const),
      amount: fc.integer({ min: 1, max: 120 }),
      kind: fc.constantFrom<MovementKind>("redeem", "expire", "reverse", "adjust", "transfer_out"),
    }),
    fc.record({ t: fc.constant("release" as const), pick: fc.nat() }),
    fc.record({
      t: fc.constant("reversePending" as const),
      pick: fc.nat(),
      share: fc.double({ min: 0.01, max: 1, noNaN: true }),
    }),
  );

  it("released lots sum to max(0, spendable), unreleased lots to the pending account, no drift", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 30 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 29 }), { maxLength: 5 }),
        async (ops, cuts) => {
          const {
            tenantId,
            customers: [c],
          } = await tenantWithCustomers(1);
          // Turn the ops into movements with a simple model of the customer's lots (FIFO, debt paid first).
          interface ModelLot {
            key: string;
            remaining: number;
            released: boolean;
          }
          const lots: ModelLot[] = [];
          let balance = 0;
          let pendingTotal = 0;
          const movements: NewMovement[] = [];
          ops.forEach((o, i) => {
            const key = `m${i}`;
            const debt = Math.max(0, -balance);
            const pendingLots = lots.filter((l) => !l.released && l.remaining > 0);
            if (o.t === "credit") {
              movements.push(
                mv(tenantId, c!, o.amount, key, {
                  at: i,
                  pendingDays: o.pending ? 14 : 0,
                  kind: o.pending ? "earn" : "bonus",
                }),
              );
              if (o.pending) {
                lots.push({ key, remaining: o.amount, released: false });
                pendingTotal += o.amount;
              } else {
                lots.push({ key, remaining: o.amount - Math.min(o.amount, debt), released: true });
                balance += o.amount;
              }
            } else if (o.t === "debit") {
              movements.push(mv(tenantId, c!, -o.amount, key, { at: i, kind: o.kind }));
              let need = o.amount;
              for (const l of lots) {
                if (!l.released) continue;
                const take = Math.min(l.remaining, need);
                l.remaining -= take;
                need -= take;
              }
              balance -= o.amount;
            } else if (pendingLots.length) {
              const lot = pendingLots[o.pick % pendingLots.length]!;
              if (o.t === "release") {
                movements.push(mv(tenantId, c!, lot.remaining, key, { at: i, kind: "release", sourceKey: lot.key }));
                pendingTotal -= lot.remaining;
                balance += lot.remaining;
                lot.released = true;
                lot.remaining -= Math.min(lot.remaining, debt);
              } else {
                const amount = Math.max(1, Math.floor(lot.remaining * o.share));
                movements.push(mv(tenantId, c!, -amount, key, { at: i, kind: "reverse", sourceKey: lot.key }));
                lot.remaining -= amount;
                pendingTotal -= amount;
              }
            }
          });
          if (!movements.length) return;

          const bounds = [0, ...cuts.filter((x) => x < movements.length).sort((a, b) => a - b), movements.length];
          const batches = bounds.slice(1).map((end, i) => movements.slice(bounds[i], end));
          for (const b of batches) expect(await post(b)).toEqual(new Set(b.map((m) => m.idempotencyKey)));

          const balances = await expectConsistent(tenantId, c!);
          expect(balances).toEqual(balancesWith({ points: balance, pendingPoints: pendingTotal }));
          const stored = await lotsOf(c!);
          expect(stored.map((l) => ({ key: l.key, remaining: l.remaining, released: l.released }))).toEqual(lots);

          // A replay of everything, in the same batches and at once, changes no lot.
          for (const b of batches) expect(await post(b)).toEqual(new Set());
          expect(await post(movements)).toEqual(new Set());
          expect(await lotsOf(c!)).toEqual(stored);
          expect(await customerBalances(db, tenantId, c!)).toEqual(balances);
        },
      ),
      { numRuns: 20 },
    );
  });
});
