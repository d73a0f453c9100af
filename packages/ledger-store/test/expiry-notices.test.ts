import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { localDate, startOfLocalDay } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { postMovements, pruneOutbox, sendExpiryNotices } from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

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
  config: ProgrammeConfig.parse({ rules: [base], expiry: { kind: "after_earning", months: 12, noticeDays: 14 } }),
  timezone: WARSAW,
  localZone: WARSAW,
};
const DAY = 86_400_000;
/** Local midnight `days` from now, plus `ms`: the clock is now, so the dates move with it. */
const localDay = (now: Date, days: number, ms = 0) =>
  new Date(startOfLocalDay(new Date(now.getTime() + days * DAY + 12 * 3_600_000), WARSAW).getTime() + ms);

it("announces every customer with points expiring in the notice period, however many lots come before them", async () => {
  const now = new Date();
  const { tenantId, customers } = await tenantWithCustomers(db, 3, "Expiry notices");
  const [busy, later, beyond] = customers as [string, string, string];
  const earnedAt = new Date(now.getTime() - 300 * DAY);
  const lot = (customerId: string, key: string, amount: number, expiresAt: Date) =>
    earnedLot({ tenantId, customerId, amount, key: `notice:${key}`, occurredAt: earnedAt, expiresAt });
  // More lots expiring in two days than a slice of the job holds ten times over, all one customer's, in one
  // local morning; then another customer's lots later in the period (one at a local midnight); one beyond it.
  const movements = [
    ...Array.from({ length: 10_001 }, (_, i) => lot(busy, `busy:${i}`, 1, localDay(now, 2, 10 * 3_600_000 + i * 100))),
    lot(later, "later:noon", 30, localDay(now, 5, 12 * 3_600_000)),
    lot(later, "later:midnight", 20, localDay(now, 6)),
    lot(beyond, "beyond", 50, localDay(now, 20)),
  ];
  await withTransaction(db, (tx) => postMovements(tx, movements));

  const result = await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now });
  const notices = result.outbox
    .map((i) => i.payload as { customerId: string; points: number; expiresAt: string; id: string })
    .sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
  expect(notices.map((n) => [n.customerId, n.points, n.expiresAt])).toEqual([
    [busy, 10_001, localDay(now, 2, 10 * 3_600_000).toISOString()],
    [later, 30, localDay(now, 5, 12 * 3_600_000).toISOString()],
    [later, 20, localDay(now, 6).toISOString()],
  ]);
  expect(notices.map((n) => n.id)).toEqual([
    `expiring:${busy}:${localDate(localDay(now, 2), WARSAW)}`,
    `expiring:${later}:${localDate(localDay(now, 5), WARSAW)}`,
    `expiring:${later}:${localDate(localDay(now, 6), WARSAW)}`,
  ]);
  expect(result.acted).toBe(3);

  // Once per customer and day, however often the job runs.
  expect(await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now })).toEqual({
    acted: 0,
    outbox: [],
  });
});

it("announces a lot's expiry once, even after the outbox prunes what it published a week ago", async () => {
  const now = new Date();
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Expiry notice once");
  const earnedAt = new Date(now.getTime() - 300 * DAY);
  const expiresAt = localDay(now, 13, 12 * 3_600_000);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({
        tenantId,
        customerId: customers[0]!,
        amount: 80,
        key: "notice-once",
        occurredAt: earnedAt,
        expiresAt,
      }),
    ]),
  );
  const first = await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now });
  expect(first.acted).toBe(1);
  await db.outboxEvent.updateMany({ where: { tenantId }, data: { publishedAt: now } });

  // Eight days on, the week-old published rows are pruned; the lot still expires within the notice period.
  const later = new Date(now.getTime() + 8 * DAY);
  await pruneOutbox(db, later, { tenantIds: [tenantId] });
  expect(await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now: later })).toEqual({
    acted: 0,
    outbox: [],
  });
  // Once that day's expiries have all passed, the notice's row goes like the rest.
  await pruneOutbox(db, new Date(expiresAt.getTime() + DAY), { tenantIds: [tenantId] });
  expect(await db.outboxEvent.count({ where: { tenantId } })).toBe(1);
  await pruneOutbox(db, new Date(expiresAt.getTime() + 2 * DAY + 1), { tenantIds: [tenantId] });
  expect(await db.outboxEvent.count({ where: { tenantId } })).toBe(0);
});

it("announces a day's expiries once when its first lot has expired and the outbox was pruned that morning", async () => {
  const now = new Date();
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Expiry notice day");
  const earnedAt = new Date(now.getTime() - 300 * DAY);
  const lot = (key: string, expiresAt: Date) =>
    earnedLot({ tenantId, customerId: customers[0]!, amount: 40, key, occurredAt: earnedAt, expiresAt });
  const morning = localDay(now, 10, 9 * 3_600_000);
  await withTransaction(db, (tx) =>
    postMovements(tx, [lot("day:morning", morning), lot("day:evening", localDay(now, 10, 18 * 3_600_000))]),
  );
  expect((await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now })).acted).toBe(1);
  await db.outboxEvent.updateMany({ where: { tenantId }, data: { publishedAt: now } });

  // That day at 09:30: the morning lot has expired, the evening one has not, the notice was published 10 days ago.
  const halfPastNine = new Date(morning.getTime() + 30 * 60_000);
  await pruneOutbox(db, halfPastNine, { tenantIds: [tenantId] });
  expect(await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now: halfPastNine })).toEqual({
    acted: 0,
    outbox: [],
  });
});
