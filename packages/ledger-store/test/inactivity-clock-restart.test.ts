import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import type { NewMovement } from "@regulars/ledger";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { type PlanNode, queryPlan, testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { inactivityClocksBetweenStatement, inactivityClocksOfStatement } from "../src/accounts/inactivity-clock.ts";
import {
  announcedExpiryStands,
  customerBalances,
  expirePoints,
  inactivityClocksOf,
  postMovements,
  sendExpiryNotices,
} from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// An inactivity period that runs out with no points posts no expiry, yet the first credit after it starts a full
// period as that expiry would have. The clock is injected: six months, 14 days' notice, Warsaw calendar.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const programme: ProgrammeInForce = {
  version: 2,
  config: ProgrammeConfig.parse({ rules: [base], expiry: { kind: "inactivity", months: 6, noticeDays: 14 } }),
  timezone: WARSAW,
  localZone: WARSAW,
};
const period = { months: 6, timezone: WARSAW };
const at = (utc: string) => new Date(utc);
const lastPurchase = at("2024-01-10T10:00:00Z");

/** Customers who earned 40 at the last purchase and redeemed `redeemed` of it the same day. */
async function lastBoughtOn(name: string, redeemed: number[]) {
  const { tenantId, customers } = await tenantWithCustomers(db, redeemed.length, name);
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.flatMap((customerId, i): NewMovement[] => [
        earnedLot({ tenantId, customerId, amount: 40, key: `earn-${i}`, occurredAt: lastPurchase }),
        ...(redeemed[i]
          ? [
              {
                tenantId,
                customerId,
                kind: "redeem" as const,
                unit: "points" as const,
                amount: -redeemed[i]!,
                idempotencyKey: `redeem-${i}`,
                occurredAt: lastPurchase,
              },
            ]
          : []),
      ]),
    ),
  );
  await db.customerLoyalty.createMany({
    data: customers.map((customerId) => ({ customerId, tenantId, lastActivityAt: lastPurchase })),
  });
  const ctx = (now: Date) => ({ db, log: silentLogger, tenantId, programme, now });
  const credit = (customerId: string, amount: number, key: string, occurredAt: Date) =>
    withTransaction(db, (tx) =>
      postMovements(tx, [{ ...earnedLot({ tenantId, customerId, amount, key, occurredAt }), kind: "bonus" }]),
    );
  const points = async (c: string) => (await customerBalances(db, tenantId, c)).points;
  const clock = async (c: string) => (await inactivityClocksOf(db, tenantId, [c], period))[0]?.clock_at;
  return { tenantId, customers, ctx, credit, points, clock };
}

it("a bonus after a period that ran out with no points lasts a full period, as after one that expired a point", async () => {
  const { customers, ctx, credit, points, clock } = await lastBoughtOn("Win-back", [39, 40]);
  const [a, b] = customers as [string, string];
  // 10 July is six months on: A's last point is announced and expires, B had none left.
  expect((await sendExpiryNotices(ctx(at("2024-06-26T10:00:00Z")))).acted).toBe(1);
  expect((await expirePoints(ctx(at("2024-07-10T10:00:00Z")))).acted).toBe(1);

  const bonusAt = at("2024-09-01T10:00:00Z");
  await credit(a, 100, "win-back-a", bonusAt);
  await credit(b, 100, "win-back-b", bonusAt);
  expect((await sendExpiryNotices(ctx(at("2024-09-01T11:00:00Z")))).acted).toBe(0);
  expect((await expirePoints(ctx(at("2024-09-15T11:00:00Z")))).acted).toBe(0);
  expect([await points(a), await points(b)]).toEqual([100, 100]);
  expect(await clock(b)).toEqual(bonusAt);

  // A's period runs from A's expiry, B's from the bonus: six months on at the same Warsaw wall time (12:00, summer
  // then winter time), each announced two weeks before.
  const noticed = async (now: Date) => (await sendExpiryNotices(ctx(now))).outbox.map((i) => i.payload);
  expect(await noticed(at("2024-12-27T11:00:00Z"))).toEqual([
    expect.objectContaining({ customerId: a, points: 100, expiresAt: "2025-01-10T11:00:00.000Z" }),
  ]);
  expect((await expirePoints(ctx(at("2025-01-10T11:00:00Z")))).acted).toBe(1);
  expect(await noticed(at("2025-02-15T11:00:00Z"))).toEqual([
    expect.objectContaining({ customerId: b, points: 100, expiresAt: "2025-03-01T11:00:00.000Z" }),
  ]);
  expect((await expirePoints(ctx(at("2025-03-01T10:59:00Z")))).acted).toBe(0);
  expect((await expirePoints(ctx(at("2025-03-01T11:00:00Z")))).acted).toBe(1);
  expect(await points(b)).toBe(0);
});

it("a credit within the period, or onto points still due, keeps the clock", async () => {
  const { customers, ctx, credit, points, clock } = await lastBoughtOn("In period", [0, 40, 39]);
  const [holder, emptied, due] = customers as [string, string, string];
  // Within the period: to a customer holding points, and to one who spent them all.
  await credit(holder, 25, "in-period-holder", at("2024-03-01T10:00:00Z"));
  await credit(emptied, 25, "in-period-emptied", at("2024-03-01T10:00:00Z"));
  expect(await clock(holder)).toEqual(lastPurchase);
  expect(await clock(emptied)).toEqual(lastPurchase);

  const notices = await sendExpiryNotices(ctx(at("2024-06-26T10:00:00Z")));
  expect(new Map(notices.outbox.map((i) => [(i.payload as { customerId: string }).customerId, i.payload]))).toEqual(
    new Map([
      [holder, expect.objectContaining({ points: 65, expiresAt: "2024-07-10T09:00:00.000Z" })],
      [emptied, expect.objectContaining({ points: 25, expiresAt: "2024-07-10T09:00:00.000Z" })],
      [due, expect.objectContaining({ points: 1, expiresAt: "2024-07-10T09:00:00.000Z" })],
    ]),
  );
  // 12:00 in Warsaw, summer time.
  expect((await expirePoints(ctx(at("2024-07-10T08:59:00Z")))).acted).toBe(0);
  // A bonus after the date, before the pass: the point due is still there, so the old clock stands and takes all.
  await credit(due, 100, "late-bonus", at("2024-07-10T09:30:00Z"));
  expect(await clock(due)).toEqual(lastPurchase);
  expect((await expirePoints(ctx(at("2024-07-10T10:00:00Z")))).acted).toBe(3);
  expect([await points(holder), await points(emptied), await points(due)]).toEqual([0, 0, 0]);
});

it("restarts again when the period the last credit started runs out with nothing to expire", async () => {
  const { tenantId, customers, ctx, credit, points, clock } = await lastBoughtOn("Twice", [40]);
  const [c] = customers as [string];
  const firstBonus = at("2024-09-01T10:00:00Z");
  await credit(c, 30, "first-bonus", firstBonus);
  // Spent without a purchase (no activity) before that period ran out on 1 March.
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId: c,
        kind: "redeem",
        unit: "points",
        amount: -30,
        idempotencyKey: "spent",
        occurredAt: at("2024-12-01T10:00:00Z"),
      },
    ]),
  );
  const secondBonus = at("2025-04-01T10:00:00Z");
  await credit(c, 50, "second-bonus", secondBonus);
  expect(await clock(c)).toEqual(secondBonus);
  expect((await sendExpiryNotices(ctx(at("2025-04-01T11:00:00Z")))).acted).toBe(0);
  expect((await expirePoints(ctx(at("2025-04-15T11:00:00Z")))).acted).toBe(0);
  expect(await points(c)).toBe(50);
});

it("an announced expiry that found nothing to expire does not stand once a later bonus restarted the clock", async () => {
  const { tenantId, customers, ctx, credit, points } = await lastBoughtOn("Spent first", [35]);
  const [c] = customers as [string];
  const announced = await sendExpiryNotices(ctx(at("2024-06-26T10:00:00Z")));
  const expiresAt = new Date((announced.outbox[0]!.payload as { expiresAt: string }).expiresAt);
  // The 5 points announced are spent before the date, without a purchase: nothing expires on it.
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId: c,
        kind: "redeem",
        unit: "points",
        amount: -5,
        idempotencyKey: "spent",
        occurredAt: at("2024-07-01T10:00:00Z"),
      },
    ]),
  );
  expect((await expirePoints(ctx(at("2024-07-10T10:00:00Z")))).acted).toBe(0);
  await credit(c, 100, "win-back", at("2024-09-01T10:00:00Z"));
  // A follow-up to that notice ("your points expired") would be untrue: the bonus is in a period of its own.
  const zoned = { timezone: WARSAW, expiry: programme.config.expiry };
  expect(await announcedExpiryStands(db, tenantId, c, expiresAt, zoned)).toBe(false);
  expect(await points(c)).toBe(100);
});

it("reads the restart through the indexes: no scan of every movement or entry", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 500, "Clock plans");
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.flatMap((customerId, c) =>
        [0, 1, 2, 3].map((i) =>
          earnedLot({
            tenantId,
            customerId,
            amount: 10,
            key: `plan:${c}:${i}`,
            occurredAt: at(`2024-0${i + 1}-10T10:00:00Z`),
          }),
        ),
      ),
    ),
  );
  // No ANALYZE: the plans must hold on a young table whose statistics autovacuum has not gathered yet.
  const scanned = (nodes: PlanNode[]) =>
    nodes
      .filter((n) => n["Node Type"] === "Seq Scan")
      .map((n) => n["Relation Name"])
      .filter((r) => r === "ledger_movements" || r === "ledger_entries");
  const one = await queryPlan(db, inactivityClocksOfStatement(tenantId, [customers[7]!], period));
  expect(scanned(one)).toEqual([]);
  expect(one.some((n) => n["Index Name"] === "ledger_movements_customer_time_idx")).toBe(true);
  const range = { upTo: at("2024-09-01T00:00:00Z"), afterId: "", limit: 100 };
  const pass = await queryPlan(db, inactivityClocksBetweenStatement(tenantId, period, range));
  expect(scanned(pass)).toEqual([]);
  // The clock is read once a customer, not again for each condition on it.
  const clockReads = (nodes: PlanNode[]) => nodes.filter((n) => n["Node Type"] === "Recursive Union").length;
  expect([clockReads(one), clockReads(pass)]).toEqual([1, 1]);
});
