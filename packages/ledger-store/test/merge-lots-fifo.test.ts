import { type Db, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postMovements, transferBalances } from "../src/index.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const dayMs = 24 * 60 * 60 * 1000;
const daysFromNow = (days: number) => new Date(Date.now() + days * dayMs);

it("points a merge moves keep their earning date: the merged customer's older lot is spent first", async () => {
  const {
    tenantId,
    customers: [survivor, merged],
  } = await tenantWithCustomers(db, 2, "Merge FIFO");
  const mergedEarnedAt = daysFromNow(-300);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      // Earned 300 days ago, expiring in 65 days; the survivor's own were earned 150 days ago, expiring in 215.
      earnedLot({
        tenantId,
        customerId: merged!,
        amount: 100,
        key: "merged-old",
        occurredAt: mergedEarnedAt,
        expiresAt: daysFromNow(65),
      }),
      earnedLot({
        tenantId,
        customerId: survivor!,
        amount: 100,
        key: "survivor-newer",
        occurredAt: daysFromNow(-150),
        expiresAt: daysFromNow(215),
      }),
    ]),
  );
  await withTransaction(db, (tx) => transferBalances(tx, tenantId, merged!, survivor!, daysFromNow(-2)));
  const moved = await db.$queryRaw<{ earned_at: Date }[]>`
    SELECT l.earned_at FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
    WHERE l.customer_id = ${survivor} AND m.kind = 'transfer_in'`;

  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId: survivor!,
        kind: "redeem",
        unit: "points",
        amount: -100,
        idempotencyKey: "spend-100",
        occurredAt: daysFromNow(-1),
      },
    ]),
  );
  const left = await db.$queryRaw<{ expires_at: Date }[]>`
    SELECT expires_at FROM point_lots WHERE customer_id = ${survivor} AND remaining > 0`;
  // First in, first out: the points expiring in 65 days went; those expiring in 215 days are left.
  expect(left).toHaveLength(1);
  expect(left[0]!.expires_at.getTime()).toBeGreaterThan(daysFromNow(100).getTime());
  // Because the moved lot kept the date its points were earned, not the merge's.
  expect(moved.map((l) => l.earned_at)).toEqual([mergedEarnedAt]);
});
