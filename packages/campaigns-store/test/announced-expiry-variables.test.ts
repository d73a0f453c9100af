import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { postMovements, sendExpiryNotices } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { programmeInForce } from "@regulars/programme";
import { localDate } from "@regulars/rules";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { customerMessageVariables } from "../src/index.ts";
import { addCustomer } from "./admin-fixtures.ts";

// An inactivity expiry already past when the notice job first sees it is announced a notice period ahead, and the
// balance stays until then: `{{points.expiring}}` / `{{points.expiring_on}}` name that announced date, as the
// points.expiring notice that triggers the message does, and a dated lot still wins when it comes first.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const DAY = 86_400_000;
const later = (at: Date, days: number) => new Date(at.getTime() + days * DAY);
type Movement = Parameters<typeof postMovements>[1][number];

/** A customer who bought `boughtDaysAgo` days ago (50 points) under 12 months' inactivity, with `dated` lots. */
async function inactiveCustomer(now: Date, boughtDaysAgo: number, dated: { amount: number; expiresAt: Date }[] = []) {
  const { tenantId } = await testTenant(db, "Announced Grill");
  const config = ProgrammeConfig.parse({
    rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
    expiry: { kind: "inactivity", months: 12, noticeDays: 14 },
  });
  await db.programmeVersion.create({
    data: { tenantId, version: 2, effectiveFrom: new Date(0), config, createdBy: "test" },
  });
  const c = await addCustomer(db, tenantId);
  const boughtAt = later(now, -boughtDaysAgo);
  const earned = (key: string, amount: number, occurredAt: Date, expiresAt: Date | null): Movement => ({
    tenantId,
    customerId: c,
    kind: "earn",
    unit: "points",
    amount,
    idempotencyKey: key,
    occurredAt,
    lot: { availableAt: occurredAt, expiresAt },
  });
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earned("bought", 50, boughtAt, null),
      ...dated.map((d, i) => earned(`dated-${i}`, d.amount, boughtAt, d.expiresAt)),
    ]),
  );
  await db.customerLoyalty.create({ data: { customerId: c, tenantId, lastActivityAt: boughtAt } });
  const programme = (await programmeInForce(db, tenantId, now))!;
  const notify = (at: Date) => sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now: at });
  return { tenantId, c, notify };
}

it("names the date a catch-up notice announced for a balance already past its N months", async () => {
  const now = new Date();
  const { tenantId, c, notify } = await inactiveCustomer(now, 450);
  // Not announced yet: the date is not fixed, so no expiry is named.
  expect((await customerMessageVariables(db, tenantId, c, { now }))?.points).not.toHaveProperty("expiring_on");

  expect((await notify(now)).acted).toBe(1);
  const announced = { balance: 50, expiring: 50, expiring_on: localDate(later(now, 14).toISOString(), WARSAW) };
  expect((await customerMessageVariables(db, tenantId, c, { now }))?.points).toMatchObject(announced);
  // A message the notice triggers a day on still names the announced date, not the clock's past one.
  expect((await customerMessageVariables(db, tenantId, c, { now: later(now, 1) }))?.points).toMatchObject(announced);
});

it("names the announced date of a late first notice for a balance whose N months end inside the notice period", async () => {
  // 360 days ago: the 12 months end in 5 or 6 days, and the notice, first written now, announces 14 days ahead.
  const now = new Date();
  const { tenantId, c, notify } = await inactiveCustomer(now, 360);
  const computed = (await customerMessageVariables(db, tenantId, c, { now }))?.points?.expiring_on;
  expect(computed).not.toBe(localDate(later(now, 14).toISOString(), WARSAW));

  expect((await notify(now)).acted).toBe(1);
  const announced = { balance: 50, expiring: 50, expiring_on: localDate(later(now, 14).toISOString(), WARSAW) };
  expect((await customerMessageVariables(db, tenantId, c, { now }))?.points).toMatchObject(announced);
  expect((await customerMessageVariables(db, tenantId, c, { now: later(now, 7) }))?.points).toMatchObject(announced);
});

it("names a dated lot expiring before the announced date, and the announced date before a later lot", async () => {
  const now = new Date();
  const soon = later(now, 5);
  const first = await inactiveCustomer(now, 450, [{ amount: 30, expiresAt: soon }]);
  expect((await first.notify(now)).outbox.length).toBeGreaterThan(0);
  expect((await customerMessageVariables(db, first.tenantId, first.c, { now }))?.points).toMatchObject({
    balance: 80,
    expiring: 30,
    expiring_on: localDate(soon.toISOString(), WARSAW),
  });

  const second = await inactiveCustomer(now, 450, [{ amount: 30, expiresAt: later(now, 40) }]);
  expect((await second.notify(now)).acted).toBe(1);
  expect((await customerMessageVariables(db, second.tenantId, second.c, { now }))?.points).toMatchObject({
    balance: 80,
    expiring: 80,
    expiring_on: localDate(later(now, 14).toISOString(), WARSAW),
  });
});
