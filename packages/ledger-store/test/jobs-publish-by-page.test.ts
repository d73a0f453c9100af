import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { startOfLocalDay } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { expirePoints, type OutboxItem, postMovements, sendExpiryNotices } from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// The notice and expiry passes over a large tenant hand each page's events to the publisher as soon as the page
// commits: the pass holds one page of events, not the whole tenant's, and a crash leaves the relay only the page in
// hand.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const DAY = 86_400_000;
const PAGE = 3;
const CUSTOMERS = 7;
const later = (at: Date, days: number) => new Date(at.getTime() + days * DAY);
const programmeWith = (expiry: unknown): ProgrammeInForce => ({
  version: 1,
  config: ProgrammeConfig.parse({ rules: [base], expiry }),
  timezone: WARSAW,
  localZone: WARSAW,
});

/** The database as the pass sees it, counting its transactions and its reads of a page of inactivity clocks. */
function counted(real: Db) {
  const seen = { transactions: 0, clockReads: 0 };
  const isClockRead = (arg: unknown) => String((arg as { sql?: unknown })?.sql ?? "").includes("c.clock_at <=");
  const proxy = new Proxy(real, {
    get(target, prop) {
      if (prop === "$transaction")
        return (...args: Parameters<Db["$transaction"]>) => {
          seen.transactions++;
          return target.$transaction(...args);
        };
      if (prop === "$queryRaw")
        return (...args: Parameters<Db["$queryRaw"]>) => {
          if (isClockRead(args[0])) seen.clockReads++;
          return target.$queryRaw(...args);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy as Db, seen };
}

/** A publisher that records each hand-over with how far the pass had got when it came. */
function recordingPublisher(seen: { transactions: number; clockReads: number }) {
  const calls: { ids: string[]; transactions: number; clockReads: number }[] = [];
  const publish = async (items: OutboxItem[]) => {
    calls.push({ ids: items.map((i) => i.id), ...seen });
  };
  return { calls, publish };
}

async function noticeIdsOf(tenantId: string) {
  const rows = await db.outboxEvent.findMany({ where: { tenantId, type: "points.expiring" }, select: { id: true } });
  return rows.map((r) => r.id).sort();
}

/** Customers whose last purchase was 400 days ago. */
async function lapsedCustomers(name: string, now: Date) {
  const { tenantId, customers } = await tenantWithCustomers(db, CUSTOMERS, name);
  const boughtAt = later(now, -400);
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.map((c, i) =>
        earnedLot({ tenantId, customerId: c, amount: 10, key: `bought-${i}`, occurredAt: boughtAt }),
      ),
    ),
  );
  await db.customerLoyalty.createMany({
    data: customers.map((customerId) => ({ customerId, tenantId, lastActivityAt: boughtAt })),
  });
  return tenantId;
}

/** Customers each with a lot of 80 points expiring at `expiresAt`. */
async function datedLots(name: string, now: Date, expiresAt: Date) {
  const { tenantId, customers } = await tenantWithCustomers(db, CUSTOMERS, name);
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.map((c, i) =>
        earnedLot({ tenantId, customerId: c, amount: 80, key: `earned-${i}`, occurredAt: later(now, -300), expiresAt }),
      ),
    ),
  );
  return tenantId;
}

it("an inactivity notice pass publishes each page after its commit, before reading the next, and keeps only counts", async () => {
  const now = new Date();
  const programme = programmeWith({ kind: "inactivity", months: 12, noticeDays: 14 });
  const tenantId = await lapsedCustomers("Inactivity notices published by page", now);

  const pass = counted(db);
  const publisher = recordingPublisher(pass.seen);
  const ctx = { db: pass.db, log: silentLogger, tenantId, programme, now, publish: publisher.publish };
  const result = await sendExpiryNotices(ctx, PAGE);

  expect(result).toEqual({ acted: CUSTOMERS, outbox: [] });
  // Page 1 was published when only one page of clocks had been read, page 2 when two had.
  expect(publisher.calls.map((c) => [c.ids.length, c.clockReads])).toEqual([
    [PAGE, 1],
    [PAGE, 2],
    [CUSTOMERS - 2 * PAGE, 3],
  ]);
  expect(publisher.calls.flatMap((c) => c.ids).sort()).toEqual(await noticeIdsOf(tenantId));

  // The next day's pass tells nobody again and publishes nothing.
  const rerun = recordingPublisher(pass.seen);
  expect(await sendExpiryNotices({ ...ctx, now: later(now, 1), publish: rerun.publish }, PAGE)).toEqual({
    acted: 0,
    outbox: [],
  });
  expect(rerun.calls).toEqual([]);
  expect(await noticeIdsOf(tenantId)).toHaveLength(CUSTOMERS);
});

it("an advance expiry notice pass publishes each slice after its commit, before writing the next", async () => {
  const now = new Date();
  const programme = programmeWith({ kind: "after_earning", months: 12, noticeDays: 14 });
  // Every customer's points expire on the same local day, five days from now.
  const expiresAt = new Date(startOfLocalDay(later(now, 5), WARSAW).getTime() + 12 * 3_600_000);
  const tenantId = await datedLots("Expiry notices published by slice", now, expiresAt);

  const pass = counted(db);
  const publisher = recordingPublisher(pass.seen);
  const ctx = { db: pass.db, log: silentLogger, tenantId, programme, now, publish: publisher.publish };
  const result = await sendExpiryNotices(ctx, PAGE);

  expect(result).toEqual({ acted: CUSTOMERS, outbox: [] });
  // Each slice is published after its own transaction and before the next one starts.
  expect(publisher.calls.map((c) => [c.ids.length, c.transactions])).toEqual([
    [PAGE, 1],
    [PAGE, 2],
    [CUSTOMERS - 2 * PAGE, 3],
  ]);
  expect(publisher.calls.flatMap((c) => c.ids).sort()).toEqual(await noticeIdsOf(tenantId));

  const rerun = recordingPublisher(pass.seen);
  expect(await sendExpiryNotices({ ...ctx, now: later(now, 1), publish: rerun.publish }, PAGE)).toEqual({
    acted: 0,
    outbox: [],
  });
  expect(rerun.calls).toEqual([]);
  expect(await noticeIdsOf(tenantId)).toHaveLength(CUSTOMERS);
});

it("an inactivity expiry pass publishes each page after its commit, before reading the next, and keeps only counts", async () => {
  const now = new Date();
  // No notice period: the balances are due at once.
  const programme = programmeWith({ kind: "inactivity", months: 12, noticeDays: 0 });
  const tenantId = await lapsedCustomers("Inactivity expiries published by page", now);

  const pass = counted(db);
  const publisher = recordingPublisher(pass.seen);
  const ctx = { db: pass.db, log: silentLogger, tenantId, programme, now, publish: publisher.publish };
  expect(await expirePoints(ctx, PAGE)).toEqual({ acted: CUSTOMERS, outbox: [] });
  expect(publisher.calls.map((c) => c.clockReads)).toEqual([1, 2, 3]);

  const rerun = recordingPublisher(pass.seen);
  expect(await expirePoints({ ...ctx, now: later(now, 1), publish: rerun.publish }, PAGE)).toEqual({
    acted: 0,
    outbox: [],
  });
  expect(rerun.calls).toEqual([]);
});

it("a dated lots' expiry pass publishes each slice after its commit, before the next, and keeps only counts", async () => {
  const now = new Date();
  const programme = programmeWith({ kind: "after_earning", months: 12, noticeDays: 0 });
  const tenantId = await datedLots("Lot expiries published by slice", now, later(now, -1));

  const pass = counted(db);
  const publisher = recordingPublisher(pass.seen);
  const ctx = { db: pass.db, log: silentLogger, tenantId, programme, now, publish: publisher.publish };
  expect(await expirePoints(ctx, PAGE)).toEqual({ acted: CUSTOMERS, outbox: [] });
  expect(publisher.calls.map((c) => c.transactions)).toEqual([1, 2, 3]);

  const rerun = recordingPublisher(pass.seen);
  expect(await expirePoints({ ...ctx, now: later(now, 1), publish: rerun.publish }, PAGE)).toEqual({
    acted: 0,
    outbox: [],
  });
  expect(rerun.calls).toEqual([]);
});
