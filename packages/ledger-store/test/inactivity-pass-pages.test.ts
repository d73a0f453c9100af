import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { customerBalances, expirePoints, postMovements, sendExpiryNotices } from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// SPEC scenario 10 on a tenant with many lapsed customers (the first run after switching to inactivity): the notice
// and expiry passes work a page of customers per transaction, and a pass that stops between pages (a crash, a failed
// statement) and runs again tells and expires each customer once, on the date their own notice named.

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
const programme: ProgrammeInForce = {
  version: 1,
  config: ProgrammeConfig.parse({ rules: [base], expiry: { kind: "inactivity", months: 12, noticeDays: 14 } }),
  timezone: WARSAW,
  localZone: WARSAW,
};
const later = (at: Date, days: number) => new Date(at.getTime() + days * DAY);
const interrupted = () => new Error("interrupted between pages");

/**
 * The database as a pass sees it, stopping at the `failAt.transaction`-th transaction or the `failAt.clockRead`-th
 * read of a page of inactivity clocks, and counting both: how a pass is cut between pages, and how its pages show.
 */
function watched(real: Db, failAt: { transaction?: number; clockRead?: number } = {}) {
  const seen = { transactions: 0, clockReads: 0 };
  const isClockRead = (arg: unknown) => String((arg as { sql?: unknown })?.sql ?? "").includes("c.clock_at <=");
  const proxy = new Proxy(real, {
    get(target, prop) {
      if (prop === "$transaction")
        return async (...args: Parameters<Db["$transaction"]>) => {
          if (++seen.transactions === failAt.transaction) throw interrupted();
          return target.$transaction(...args);
        };
      if (prop === "$queryRaw")
        return async (...args: Parameters<Db["$queryRaw"]>) => {
          if (isClockRead(args[0]) && ++seen.clockReads === failAt.clockRead) throw interrupted();
          return target.$queryRaw(...args);
        };
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy as Db, seen };
}

/** Seven customers whose last purchase was 400 days ago, in the order the passes page them (by id). */
async function lapsedCustomers(name: string, now: Date) {
  const { tenantId, customers } = await tenantWithCustomers(db, 7, name);
  const boughtAt = later(now, -400);
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.map((c, i) =>
        earnedLot({ tenantId, customerId: c, amount: 10 * (i + 1), key: `bought-${i}`, occurredAt: boughtAt }),
      ),
    ),
  );
  await db.customerLoyalty.createMany({
    data: customers.map((customerId) => ({ customerId, tenantId, lastActivityAt: boughtAt })),
  });
  return { tenantId, customers: [...customers].sort() };
}

const ctx = (on: Db, tenantId: string, now: Date) => ({ db: on, log: silentLogger, tenantId, programme, now });

async function noticesOf(tenantId: string) {
  const rows = await db.outboxEvent.findMany({ where: { tenantId, type: "points.expiring" } });
  return rows.map((r) => r.payload as { customerId: string; expiresAt: string });
}

async function inactivityExpiriesOf(tenantId: string) {
  const rows = await db.ledgerMovement.findMany({
    where: { tenantId, kind: "expire", idempotencyKey: { startsWith: "expire:inactive:" } },
  });
  return rows.map((r) => r.customerId).sort();
}

it("a notice pass cut between pages and run again tells each customer once, and each expires once on their date", async () => {
  const now = new Date();
  const { tenantId, customers } = await lapsedCustomers("Paged inactivity", now);

  // The first page's notices are committed, the second page's transaction fails.
  const cut = watched(db, { transaction: 2 });
  await expect(sendExpiryNotices(ctx(cut.db, tenantId, now), PAGE)).rejects.toThrow("interrupted");
  expect((await noticesOf(tenantId)).map((n) => n.customerId).sort()).toEqual(customers.slice(0, PAGE));

  // Run again the next day: only those not told yet are told, a notice period from then, over more than one page.
  const rerunAt = later(now, 1);
  const rerun = watched(db);
  const second = await sendExpiryNotices(ctx(rerun.db, tenantId, rerunAt), PAGE);
  expect(second.acted).toBe(customers.length - PAGE);
  // A transaction per page of customers (the first page's writes nothing new).
  expect(rerun.seen.transactions).toBe(Math.ceil(customers.length / PAGE));
  expect((await sendExpiryNotices(ctx(db, tenantId, later(now, 2)), PAGE)).acted).toBe(0);

  const notices = await noticesOf(tenantId);
  expect(notices.map((n) => n.customerId).sort()).toEqual(customers);
  const dateOf = new Map(notices.map((n) => [n.customerId, n.expiresAt]));
  for (const c of customers.slice(0, PAGE)) expect(dateOf.get(c)).toBe(later(now, 14).toISOString());
  for (const c of customers.slice(PAGE)) expect(dateOf.get(c)).toBe(later(rerunAt, 14).toISOString());

  // The first notices' date: only their customers' points go.
  expect((await expirePoints(ctx(db, tenantId, later(now, 14)), PAGE)).acted).toBe(PAGE);

  // The others' date, the expiry pass cut after its first page and run again.
  const expiryCut = watched(db, { transaction: 2 });
  await expect(expirePoints(ctx(expiryCut.db, tenantId, later(rerunAt, 14)), PAGE)).rejects.toThrow("interrupted");
  expect(await inactivityExpiriesOf(tenantId)).toHaveLength(2 * PAGE);
  const expiryRerun = watched(db);
  expect((await expirePoints(ctx(expiryRerun.db, tenantId, later(rerunAt, 14)), PAGE)).acted).toBe(1);
  expect((await expirePoints(ctx(db, tenantId, later(rerunAt, 15)), PAGE)).acted).toBe(0);

  expect(await inactivityExpiriesOf(tenantId)).toEqual(customers);
  for (const c of customers) expect((await customerBalances(db, tenantId, c)).points).toBe(0);
});

it("a notice pass whose third page of customers fails to read keeps the notices of the two pages read before", async () => {
  const now = new Date();
  const { tenantId, customers } = await lapsedCustomers("Paged notice reads", now);

  const cut = watched(db, { clockRead: 3 });
  await expect(sendExpiryNotices(ctx(cut.db, tenantId, now), PAGE)).rejects.toThrow("interrupted");
  expect((await noticesOf(tenantId)).map((n) => n.customerId).sort()).toEqual(customers.slice(0, 2 * PAGE));

  const rerun = await sendExpiryNotices(ctx(db, tenantId, later(now, 1)), PAGE);
  expect(rerun.outbox.map((i) => (i.payload as { customerId: string }).customerId)).toEqual(customers.slice(2 * PAGE));
  expect(await noticesOf(tenantId)).toHaveLength(customers.length);
});
