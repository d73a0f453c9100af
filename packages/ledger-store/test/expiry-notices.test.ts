import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { localDate, expiresAt as lotExpiry, startOfLocalDay } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  announcedExpiryStands,
  customerBalances,
  expirePoints,
  nextLotExpiries,
  postMovements,
  pruneOutbox,
  releasePendingPoints,
  sendExpiryNotices,
} from "../src/index.ts";
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

/** A programme stored before pending periods were checked against expiry, read tolerantly as stored ones are. */
const pendingFor = (pendingDays: number): ProgrammeInForce => ({
  version: 3,
  config: ProgrammeConfig.parse({
    rules: [base],
    pendingDays,
    expiry: { kind: "after_earning", months: 1, noticeDays: 14 },
  }),
  timezone: WARSAW,
  localZone: WARSAW,
});

/** 10:00 local on the next 31 January from now: a month later is 28 (or 29) February, before 30 days are out. */
function nextEndOfJanuary(now: Date): Date {
  for (let day = now; ; day = new Date(day.getTime() + DAY)) {
    if (localDate(day, WARSAW).endsWith("-01-31")) return localDay(day, 0, 10 * 3_600_000);
  }
}

/**
 * 80 points earned at `earnedAt` under `programme`, dated as the sale planner dates them; then the release, expire and
 * notice jobs twice a day, in the scheduler's order, until two days after the later of release and expiry.
 */
async function earnPendingAndRunJobs(programme: ProgrammeInForce, earnedAt: Date, name: string) {
  const { tenantId, customers } = await tenantWithCustomers(db, 1, name);
  const customerId = customers[0]!;
  const availableAt = new Date(earnedAt.getTime() + programme.config.pendingDays * DAY);
  const expiresAt = lotExpiry(programme.config.expiry, earnedAt, WARSAW)!;
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        ...earnedLot({ tenantId, customerId, amount: 80, key: `tx:${name}`, occurredAt: earnedAt }),
        lot: { availableAt, expiresAt },
      },
    ]),
  );
  const ctx = (now: Date) => ({ db, log: silentLogger, tenantId, programme, now });
  const notices: { points: number; expiresAt: string; occurredAt: string }[] = [];
  const end = Math.max(availableAt.getTime(), expiresAt.getTime()) + 2 * DAY;
  for (let t = earnedAt.getTime(); t <= end; t += DAY / 2) {
    await releasePendingPoints(ctx(new Date(t)));
    await expirePoints(ctx(new Date(t)));
    const sent = (await sendExpiryNotices(ctx(new Date(t)))).outbox.map((i) => i.payload);
    notices.push(...(sent as typeof notices));
  }
  const movements = await db.$queryRaw<{ kind: string; amount: bigint; occurred_at: Date }[]>`
    SELECT kind, amount, occurred_at FROM ledger_movements WHERE tenant_id = ${tenantId} AND customer_id = ${customerId}
    ORDER BY occurred_at, kind`;
  return { tenantId, customerId, availableAt, expiresAt, notices, movements, ctx };
}

it("announces pending points whose date comes before their release, and expires them on that date", async () => {
  const programme = pendingFor(30);
  const earnedAt = nextEndOfJanuary(new Date());
  const run = await earnPendingAndRunJobs(programme, earnedAt, "Pending past expiry");
  expect(run.expiresAt < run.availableAt).toBe(true);

  // One notice, a full notice period ahead, naming the pending points.
  expect(run.notices.map((n) => [n.points, n.expiresAt])).toEqual([[80, run.expiresAt.toISOString()]]);
  expect(Date.parse(run.notices[0]!.occurredAt)).toBeLessThanOrEqual(run.expiresAt.getTime() - 14 * DAY);

  // Expired from the pending account on their date, by the first pass after it: never released, never spendable.
  expect(run.movements.map((m) => [m.kind, Number(m.amount)])).toEqual([
    ["earn", 80],
    ["expire", -80],
  ]);
  const expiredAt = run.movements[1]!.occurred_at.getTime();
  expect(expiredAt).toBeGreaterThanOrEqual(run.expiresAt.getTime());
  expect(expiredAt).toBeLessThan(run.expiresAt.getTime() + DAY / 2);
  expect(await customerBalances(db, run.tenantId, run.customerId)).toMatchObject({ points: 0, pendingPoints: 0 });
  const zoned = { timezone: WARSAW, expiry: programme.config.expiry };
  // The announced expiry happened as announced.
  expect(await announcedExpiryStands(db, run.tenantId, run.customerId, run.expiresAt, zoned)).toBe(true);
});

it("names pending points in the message and keeps their notice standing until their date", async () => {
  const programme = pendingFor(30);
  const now = new Date();
  const { tenantId, customers } = await tenantWithCustomers(db, 1, "Pending notice stands");
  const customerId = customers[0]!;
  const expiresAt = localDay(now, 10, 12 * 3_600_000);
  // Earned 20 days ago, spendable in 10 days' time, and 30 more spendable points expiring that same day.
  const earnedAt = new Date(now.getTime() - 20 * DAY);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        ...earnedLot({ tenantId, customerId, amount: 80, key: "pending", occurredAt: earnedAt }),
        lot: { availableAt: new Date(expiresAt.getTime() + DAY), expiresAt },
      },
      earnedLot({ tenantId, customerId, amount: 30, key: "spendable", occurredAt: earnedAt, expiresAt }),
    ]),
  );
  const notices = await sendExpiryNotices({ db, log: silentLogger, tenantId, programme, now });
  expect(notices.outbox.map((i) => (i.payload as { points: number }).points)).toEqual([110]);
  expect(await nextLotExpiries(db, tenantId, [customerId], WARSAW, now)).toEqual(
    new Map([[customerId, { points: 110, day: localDate(expiresAt, WARSAW) }]]),
  );
  const zoned = { timezone: WARSAW, expiry: programme.config.expiry };
  // The spendable points spent: the pending ones still expire that day, so the notice stands.
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      { tenantId, customerId, kind: "redeem", unit: "points", amount: -30, idempotencyKey: "spent", occurredAt: now },
    ]),
  );
  expect(await announcedExpiryStands(db, tenantId, customerId, expiresAt, zoned)).toBe(true);
});

it("announces points released inside the notice period a full notice period ahead, not at their release", async () => {
  const now = new Date();
  const run = await earnPendingAndRunJobs(pendingFor(21), localDay(now, 1, 10 * 3_600_000), "Pending inside notice");
  expect(run.notices.map((n) => [n.points, n.expiresAt])).toEqual([[80, run.expiresAt.toISOString()]]);
  expect(Date.parse(run.notices[0]!.occurredAt)).toBeLessThanOrEqual(run.expiresAt.getTime() - 14 * DAY);
  // Released after 21 days, spendable until their date, then expired.
  expect(run.movements.map((m) => [m.kind, Number(m.amount)])).toEqual([
    ["earn", 80],
    ["release", 80],
    ["expire", -80],
  ]);
});
