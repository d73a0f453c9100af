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
