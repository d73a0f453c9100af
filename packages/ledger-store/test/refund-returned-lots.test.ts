import { ProgrammeConfig, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  customerBalances,
  expirePoints,
  findBalanceDrift,
  type HoldDeps,
  placeHold,
  sendExpiryNotices,
} from "../src/index.ts";
import { refundOf, tenantWithProgramme } from "./batch-fixtures.ts";
import { apply, checkoutProgramme, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";
import { smsInTransaction } from "./sms-fixture.ts";

// Expiry dates are computed once, when points are awarded: points a refund gives back of its sale's hold keep the
// expiry (and earned date) of the lots the redemption took them from, not a fresh one from the refund's date.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
/** Twelve months after earning: a fresh expiry from the refund's date would lie a year ahead. */
const expiring = { ...checkoutProgramme, expiry: { kind: "after_earning", months: 12, noticeDays: 14 } };

async function expiringTenant(programme: Record<string, unknown> = expiring) {
  const tenantId = await tenantWithProgramme(db, programme, "Expiring Burgers");
  const deps: HoldDeps = { db, programmes: new ProgrammeCache(db, 0), sendConfirmationSms: smsInTransaction };
  const c = newId("customer");
  await db.customer.create({ data: { id: c, tenantId, createdVia: "test" } });
  return { tenantId, deps, c };
}

/** A sale that spends `points` through a hold. */
async function saleSpending(tenantId: string, deps: HoldDeps, c: string) {
  const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 100 }));
  expect(placed.quote.applied.some((a) => a.source === "points")).toBe(true);
  return saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
}

const refundLines = (tenantId: string, sale: TransactionMessage, lineNos: number[]) =>
  refundOf(
    tenantId,
    sale,
    lineNos.map((lineNo) => ({ ...sale.transaction.lines[lineNo]!, lineNo })),
  );

/** The lots the sale's refunds opened with the points they gave back. */
const returnedLots = (tenantId: string, c: string) =>
  db.$queryRaw<{ points: bigint; remaining: bigint; earned_at: Date; expires_at: Date | null }[]>`
    SELECT l.points, l.remaining, l.earned_at, l.expires_at FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
    WHERE l.tenant_id = ${tenantId} AND l.customer_id = ${c} AND m.idempotency_key LIKE 'unredeem:%'
    ORDER BY l.expires_at, l.id`; // the first refund's lot before the second's

const givenLot = (tenantId: string, c: string) =>
  db.$queryRaw<{ earned_at: Date; expires_at: Date }[]>`
    SELECT l.earned_at, l.expires_at FROM point_lots l JOIN ledger_movements m ON m.id = l.movement_id
    WHERE l.tenant_id = ${tenantId} AND l.customer_id = ${c} AND m.idempotency_key LIKE 'gift:%' ORDER BY l.earned_at`;

describe("points a refund gives back of its sale's hold", () => {
  it.each([
    ["in a later batch", false],
    ["in the sale's own batch", true],
  ])("keep the expiry and earned date of the lot they were spent from (refund %s)", async (_, together) => {
    const { tenantId, deps, c } = await expiringTenant();
    const inNineDays = new Date(Date.now() + 9 * DAY);
    await givePoints(db, tenantId, c, 100, inNineDays);
    const sale = await saleSpending(tenantId, deps, c);
    const refund = refundLines(tenantId, sale, [0, 1]);
    for (const batch of together ? [[sale, refund]] : [[sale], [refund]]) await apply(db, batch);

    const [given] = await givenLot(tenantId, c);
    expect(await returnedLots(tenantId, c)).toEqual([
      { points: 100n, remaining: 100n, earned_at: given!.earned_at, expires_at: inNineDays },
    ]);
    expect((await customerBalances(db, tenantId, c)).points).toBe(100);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("come back already expired when their lot's expiry passed before the refund: the next expiry pass takes them", async () => {
    const { tenantId, deps, c } = await expiringTenant();
    // Due a minute ago; held by a hold placed before that, and no expiry pass has run since: its sale spends them.
    const aMinuteAgo = new Date(Date.now() - 60_000);
    await givePoints(db, tenantId, c, 100, aMinuteAgo);
    const sale = await saleSpending(tenantId, { ...deps, now: () => new Date(aMinuteAgo.getTime() - 60_000) }, c);
    await apply(db, [sale]);
    await apply(db, [refundLines(tenantId, sale, [0, 1])]);
    expect(await returnedLots(tenantId, c)).toMatchObject([{ points: 100n, remaining: 100n, expires_at: aMinuteAgo }]);

    const programme = {
      version: 2,
      config: ProgrammeConfig.parse(expiring),
      timezone: "Europe/Warsaw",
      localZone: "Europe/Warsaw",
    };
    const pass = await expirePoints({ db, log: silentLogger, tenantId, programme, now: new Date() });
    expect(pass.acted).toBe(1);
    expect((await customerBalances(db, tenantId, c)).points).toBe(0);
    const expired = await db.$queryRaw<{ amount: bigint; key: string }[]>`
      SELECT amount, idempotency_key AS key FROM ledger_movements
      WHERE tenant_id = ${tenantId} AND customer_id = ${c} AND kind = 'expire'`;
    expect(expired).toEqual([{ amount: -100n, key: expect.stringMatching(/^expire:lot:/) }]);
    expect(await returnedLots(tenantId, c)).toMatchObject([{ remaining: 0n }]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a partial refund gives back its share, from the last lots spent first; the rest comes with the next refund", async () => {
    const { tenantId, deps, c } = await expiringTenant();
    const inFiveDays = new Date(Date.now() + 5 * DAY);
    const inThirtyDays = new Date(Date.now() + 30 * DAY);
    await givePoints(db, tenantId, c, 60, inFiveDays);
    await givePoints(db, tenantId, c, 40, inThirtyDays);
    const sale = await saleSpending(tenantId, deps, c);
    await apply(db, [sale]);
    const fries = refundLines(tenantId, sale, [1]);
    await apply(db, [fries]);
    const share = Math.floor((100 * fries.transaction.total) / sale.transaction.total);
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(40);
    // First in, first out spent the 60 due in five days before the 40 due in thirty: these come back first.
    expect(await returnedLots(tenantId, c)).toMatchObject([{ points: BigInt(share), expires_at: inThirtyDays }]);

    await apply(db, [refundLines(tenantId, sale, [0])]);
    const lots = await returnedLots(tenantId, c);
    expect(lots.map((l) => [l.expires_at, l.points])).toEqual([
      [inFiveDays, 60n],
      [inThirtyDays, BigInt(share)],
      [inThirtyDays, BigInt(40 - share)],
    ]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("under an inactivity policy come back without a date of their own, and expire with the rest after N months idle", async () => {
    const inactivity = { ...checkoutProgramme, expiry: { kind: "inactivity", months: 6, noticeDays: 14 } };
    const { tenantId, deps, c } = await expiringTenant(inactivity);
    await givePoints(db, tenantId, c, 100);
    const sale = await saleSpending(tenantId, deps, c);
    await apply(db, [sale]);
    await apply(db, [refundLines(tenantId, sale, [0, 1])]);
    const [given] = await givenLot(tenantId, c);
    expect(await returnedLots(tenantId, c)).toMatchObject([
      { points: 100n, earned_at: given!.earned_at, expires_at: null },
    ]);
    // The clock is the last purchase (the ledger's movements, not the lots' dates): six months on, all of it expires.
    const programme = {
      version: 2,
      config: ProgrammeConfig.parse(inactivity),
      timezone: "Europe/Warsaw",
      localZone: "Europe/Warsaw",
    };
    const ctx = (days: number) => ({
      db,
      log: silentLogger,
      tenantId,
      programme,
      now: new Date(Date.now() + days * DAY),
    });
    const pass = (days: number) => expirePoints(ctx(days));
    expect((await pass(150)).acted).toBe(0);
    // The notice first (the expiry waits for it), about a week before the six months end.
    expect((await sendExpiryNotices(ctx(175))).acted).toBe(1);
    expect((await pass(200)).acted).toBe(1);
    expect((await customerBalances(db, tenantId, c)).points).toBe(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
