import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { inactivityExpiry } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { customerBalances, expirePoints, postMovements, sendExpiryNotices } from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// A lot's expiry date is computed once, when it is awarded (SPEC): a tenant that dated lots under `after_earning`
// and then changed its policy still expires and announces those lots on their dates.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const DAY = 86_400_000;
const programme = (version: number, expiry: unknown): ProgrammeInForce => ({
  version,
  config: ProgrammeConfig.parse({ rules: [base], expiry }),
  timezone: WARSAW,
  localZone: WARSAW,
});
const afterEarning = programme(1, { kind: "after_earning", months: 12, noticeDays: 14 });

it("keeps expiring and announcing a dated lot at its date once the policy is none, and never twice", async () => {
  const now = new Date();
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Policy to none");
  const [c] = customers as [string];
  const expiresAt = new Date(now.getTime() + 5 * DAY);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({
        tenantId,
        customerId: c,
        amount: 80,
        key: "dated",
        occurredAt: new Date(now.getTime() - 360 * DAY),
        expiresAt,
      }),
    ]),
  );
  const none = programme(2, { kind: "none" });
  const ctx = (p: ProgrammeInForce, at: Date) => ({ db, log: silentLogger, tenantId, programme: p, now: at });

  const notices = await sendExpiryNotices(ctx(none, now));
  expect(notices.outbox.map((i) => i.payload)).toEqual([
    expect.objectContaining({ customerId: c, points: 80, expiresAt: expiresAt.toISOString() }),
  ]);
  // The same notice under the earlier programme is the one already sent.
  expect((await sendExpiryNotices(ctx(afterEarning, now))).acted).toBe(0);

  expect((await expirePoints(ctx(none, new Date(expiresAt.getTime() - 60_000)))).acted).toBe(0);
  expect((await expirePoints(ctx(none, expiresAt))).acted).toBe(1);
  expect((await customerBalances(db, tenantId, c)).points).toBe(0);
  expect((await expirePoints(ctx(afterEarning, expiresAt))).acted).toBe(0);
});

it("expires a dated lot at its date once the policy is inactivity, though the customer bought recently", async () => {
  const now = new Date();
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Policy to inactivity");
  const [c] = customers as [string];
  const expiresAt = new Date(now.getTime() + 5 * DAY);
  const boughtAt = new Date(now.getTime() - 10 * DAY);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({
        tenantId,
        customerId: c,
        amount: 80,
        key: "dated",
        occurredAt: new Date(now.getTime() - 360 * DAY),
        expiresAt,
      }),
      earnedLot({ tenantId, customerId: c, amount: 20, key: "recent", occurredAt: boughtAt, expiresAt: null }),
    ]),
  );
  await db.customerLoyalty.create({ data: { customerId: c, tenantId, lastActivityAt: boughtAt } });
  const inactivity = programme(2, { kind: "inactivity", months: 12, noticeDays: 14 });
  const ctx = (at: Date) => ({ db, log: silentLogger, tenantId, programme: inactivity, now: at });

  // Only the dated lot is announced: twelve months of inactivity are far off.
  expect((await sendExpiryNotices(ctx(now))).outbox.map((i) => i.payload)).toEqual([
    expect.objectContaining({ customerId: c, points: 80, expiresAt: expiresAt.toISOString() }),
  ]);
  expect((await expirePoints(ctx(new Date(expiresAt.getTime() - 60_000)))).acted).toBe(0);
  expect((await expirePoints(ctx(expiresAt))).acted).toBe(1);
  // What the recent purchase earned stays until the customer has been inactive for twelve months.
  expect((await customerBalances(db, tenantId, c)).points).toBe(20);
  expect((await expirePoints(ctx(expiresAt))).acted).toBe(0);
});

it("a dated lot expiring under inactivity leaves the inactivity clock at the last purchase", async () => {
  const now = new Date();
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Lot expiry is no activity");
  const [c] = customers as [string];
  const lotExpiresAt = new Date(now.getTime() + 5 * DAY);
  const boughtAt = new Date(now.getTime() - 330 * DAY); // no purchase since: twelve months end in about 35 days
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({
        tenantId,
        customerId: c,
        amount: 80,
        key: "dated",
        occurredAt: new Date(now.getTime() - 360 * DAY),
        expiresAt: lotExpiresAt,
      }),
      earnedLot({ tenantId, customerId: c, amount: 20, key: "bought", occurredAt: boughtAt, expiresAt: null }),
    ]),
  );
  await db.customerLoyalty.create({ data: { customerId: c, tenantId, lastActivityAt: boughtAt } });
  const inactivity = programme(2, { kind: "inactivity", months: 12, noticeDays: 14 });
  const ctx = (at: Date) => ({ db, log: silentLogger, tenantId, programme: inactivity, now: at });
  const inactiveAt = inactivityExpiry(inactivity.config.expiry, boughtAt.toISOString(), WARSAW)!;

  expect((await expirePoints(ctx(lotExpiresAt))).acted).toBe(1);
  expect((await customerBalances(db, tenantId, c)).points).toBe(20);
  // Twelve months after the purchase, not after the lot's expiry: announced, then expired.
  expect(
    (await sendExpiryNotices(ctx(new Date(inactiveAt.getTime() - 13 * DAY)))).outbox.map((i) => i.payload),
  ).toEqual([expect.objectContaining({ customerId: c, points: 20, expiresAt: inactiveAt.toISOString() })]);
  expect((await expirePoints(ctx(new Date(inactiveAt.getTime() - 60_000)))).acted).toBe(0);
  expect((await expirePoints(ctx(inactiveAt))).acted).toBe(1);
  expect((await customerBalances(db, tenantId, c)).points).toBe(0);
});
