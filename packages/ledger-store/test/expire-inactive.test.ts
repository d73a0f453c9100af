import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { customerBalances, expirePoints, postMovements, sendExpiryNotices } from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// Inactivity expiry at a month's end, with the clock injected: the last purchase on 31 August, six months of
// inactivity end on the last day of February, not in March.

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
/** Warsaw wall-clock times as instants (UTC+2 in summer, UTC+1 in winter). */
const at = (utc: string) => new Date(utc);

it("expires on the last day of February what the last purchase of 31 August left, and announces it two weeks before", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Month end");
  const [c] = customers as [string];
  const lastPurchase = at("2024-08-31T08:00:00Z");
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({ tenantId, customerId: c, amount: 50, key: "aug", occurredAt: lastPurchase, expiresAt: null }),
    ]),
  );
  await db.customerLoyalty.create({ data: { customerId: c, tenantId, lastActivityAt: lastPurchase } });
  const ctx = (now: Date) => ({ db, log: silentLogger, tenantId, programme, now });

  const notices = await sendExpiryNotices(ctx(at("2025-02-14T11:00:00Z")));
  expect(notices.outbox.map((i) => (i.payload as { points: number }).points)).toEqual([50]);
  expect((await expirePoints(ctx(at("2025-02-27T11:00:00Z")))).acted).toBe(0);
  expect((await expirePoints(ctx(at("2025-02-28T11:00:00Z")))).acted).toBe(1);
  expect((await customerBalances(db, tenantId, c)).points).toBe(0);
});

it("points credited after an inactivity expiry, with no purchase since, expire a full period after that expiry", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "After an expiry");
  const [c] = customers as [string];
  const lastPurchase = at("2024-01-10T10:00:00Z");
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({ tenantId, customerId: c, amount: 40, key: "jan", occurredAt: lastPurchase, expiresAt: null }),
    ]),
  );
  await db.customerLoyalty.create({ data: { customerId: c, tenantId, lastActivityAt: lastPurchase } });
  const ctx = (now: Date) => ({ db, log: silentLogger, tenantId, programme, now });
  const firstExpiry = at("2024-07-10T10:00:00Z");
  // Announced two weeks before, as the scheduler does: an inactivity expiry waits for its notice.
  expect((await sendExpiryNotices(ctx(at("2024-06-26T10:00:00Z")))).acted).toBe(1);
  expect((await expirePoints(ctx(firstExpiry))).acted).toBe(1);

  // A win-back bonus a month later: not expired at once, and not kept for ever.
  const bonusAt = at("2024-08-12T10:00:00Z");
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      { ...earnedLot({ tenantId, customerId: c, amount: 25, key: "win-back", occurredAt: bonusAt }), kind: "bonus" },
    ]),
  );
  expect((await expirePoints(ctx(at("2024-08-13T10:00:00Z")))).acted).toBe(0);
  const notices = await sendExpiryNotices(ctx(at("2024-12-27T11:00:00Z")));
  // Six months after the expiry, at the same Warsaw wall time (12:00, summer then winter time).
  expect(notices.outbox.map((i) => i.payload)).toEqual([
    expect.objectContaining({ points: 25, expiresAt: "2025-01-10T11:00:00.000Z" }),
  ]);
  expect((await expirePoints(ctx(at("2025-01-10T10:59:00Z")))).acted).toBe(0);
  expect((await expirePoints(ctx(at("2025-01-10T11:00:00Z")))).acted).toBe(1);
  expect((await customerBalances(db, tenantId, c)).points).toBe(0);
  // A rerun, as after a crash, posts nothing more.
  expect((await expirePoints(ctx(at("2025-01-11T10:00:00Z")))).acted).toBe(0);
  const expired = await db.ledgerMovement.findMany({
    where: { tenantId, kind: "expire" },
    orderBy: { occurredAt: "asc" },
  });
  expect(expired.map((m) => m.amount)).toEqual([-40n, -25n]);
});

it("a member who never bought keeps a welcome bonus for the period from its credit, then it expires", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Never bought");
  const [c] = customers as [string];
  const welcomeAt = at("2024-03-05T09:00:00Z");
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      { ...earnedLot({ tenantId, customerId: c, amount: 50, key: "welcome", occurredAt: welcomeAt }), kind: "bonus" },
    ]),
  );
  const ctx = (now: Date) => ({ db, log: silentLogger, tenantId, programme, now });
  expect((await sendExpiryNotices(ctx(at("2024-08-22T09:00:00Z")))).acted).toBe(1);
  expect((await expirePoints(ctx(at("2024-09-04T09:00:00Z")))).acted).toBe(0);
  expect((await expirePoints(ctx(at("2024-09-05T09:00:00Z")))).acted).toBe(1);
  expect((await customerBalances(db, tenantId, c)).points).toBe(0);
});
