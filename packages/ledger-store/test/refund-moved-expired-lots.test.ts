import { ProgrammeConfig, type TransactionMessage } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyTransactionBatch,
  customerBalances,
  expirePoints,
  findBalanceDrift,
  postMovements,
  transferBalances,
} from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { earnedLot } from "./fixtures.ts";

// A refund reverses its sale's points where they are: in the lot a customer merge moved them into (still pending
// if they were), and not a second time for the share that expired (those points left the customer once already).

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
const apply = (...messages: TransactionMessage[]) => applyTransactionBatch(ledgerDeps(db), messages);
const expiring = { rules: [base], expiry: { kind: "after_earning", months: 1, noticeDays: 14 } };

async function customer(tenantId: string, points = 0) {
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId, createdVia: "test" } });
  if (points)
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        earnedLot({ tenantId, customerId: id, amount: points, key: `gift:${id}`, occurredAt: daysAgo(1) }),
      ]),
    );
  return id;
}

/** A sale of `euros` (1 point per euro) by a customer the till knows by id. */
const sale = (tenantId: string, customerId: string, euros: number, occurredAt = daysAgo(0)) =>
  txMessage(tenantId, {
    customer: { id: customerId },
    occurredAt: occurredAt.toISOString(),
    lines: [line("MEAL", euros * 100)],
  });
const fullRefund = (tenantId: string, s: TransactionMessage) =>
  refundOf(tenantId, s, [{ ...s.transaction.lines[0]!, lineNo: 0 }]);

/** What a customer merge does to the ledger and the sales (customers-store `mergeCustomer`): its balances, then its sales move. */
async function merge(tenantId: string, fromId: string, intoId: string) {
  await withTransaction(db, async (tx) => {
    await transferBalances(tx, tenantId, fromId, intoId, new Date());
    await tx.$executeRaw`UPDATE transactions SET customer_id = ${intoId} WHERE tenant_id = ${tenantId} AND customer_id = ${fromId}`;
  });
}

async function expiryPass(tenantId: string) {
  const zone = "Europe/Warsaw";
  const programme = { version: 2, config: ProgrammeConfig.parse(expiring), timezone: zone, localZone: zone };
  return expirePoints({ db, log: silentLogger, tenantId, programme, now: new Date() });
}

const refundRow = (tenantId: string, r: TransactionMessage) =>
  db.transaction.findFirstOrThrow({ where: { tenantId, externalId: r.transaction.externalId } });

describe("a refund of a sale whose points a merge moved", () => {
  it("reverses its still-pending points on the survivor's pending account, not the spendable balance", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], pendingDays: 14 }, "Merged Pending");
    const till = await customer(tenantId);
    const app = await customer(tenantId, 30);
    const s = sale(tenantId, till, 50);
    await apply(s);
    expect(await customerBalances(db, tenantId, till)).toMatchObject({ points: 0, pendingPoints: 50 });
    await merge(tenantId, till, app);
    expect(await customerBalances(db, tenantId, app)).toMatchObject({ points: 30, pendingPoints: 50 });

    await apply(fullRefund(tenantId, s));
    expect(await customerBalances(db, tenantId, app)).toMatchObject({ points: 30, pendingPoints: 0 });
    const lots = await db.$queryRaw<{ remaining: bigint; released: boolean }[]>`
      SELECT remaining, released FROM point_lots WHERE tenant_id = ${tenantId} AND customer_id = ${app} ORDER BY id`;
    expect(lots).toEqual([
      { remaining: 30n, released: true },
      { remaining: 0n, released: false },
    ]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("after two merges, and once the moved lot expired, takes nothing again", async () => {
    const tenantId = await tenantWithProgramme(db, expiring, "Merged Expired");
    const [till, phone, app] = [await customer(tenantId), await customer(tenantId), await customer(tenantId, 80)];
    const s = sale(tenantId, till, 100, daysAgo(40)); // expiring a month after: ten days ago
    await apply(s);
    await merge(tenantId, till, phone);
    await merge(tenantId, phone, app);
    expect((await expiryPass(tenantId)).acted).toBe(1);
    expect((await customerBalances(db, tenantId, app)).points).toBe(80);

    const r = fullRefund(tenantId, s);
    await apply(r);
    expect((await customerBalances(db, tenantId, app)).points).toBe(80);
    expect(Number((await refundRow(tenantId, r)).pointsAwarded)).toBe(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});

describe("a refund of a sale whose points expired", () => {
  it("takes back what was spent of them, not what expired", async () => {
    const tenantId = await tenantWithProgramme(db, expiring, "Refund After Expiry");
    const c = await customer(tenantId);
    const old = sale(tenantId, c, 100, daysAgo(40));
    await apply(old);
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        {
          tenantId,
          customerId: c,
          kind: "redeem",
          unit: "points",
          amount: -60,
          idempotencyKey: `spend:${c}`,
          occurredAt: daysAgo(35),
        },
      ]),
    );
    await apply(sale(tenantId, c, 80));
    expect((await expiryPass(tenantId)).acted).toBe(1); // the 40 left of the old sale's 100
    expect((await customerBalances(db, tenantId, c)).points).toBe(80);

    const r = fullRefund(tenantId, old);
    await apply(r);
    // The 60 spent come off the newer points; the 40 that expired are not taken a second time.
    expect((await customerBalances(db, tenantId, c)).points).toBe(20);
    const row = await refundRow(tenantId, r);
    expect(Number(row.pointsAwarded)).toBe(-60);
    expect(row.effects).toMatchObject({ expired: 40 });
    expect(row.explanation).toMatchObject({ rules: [{ points: -60, expired: 40 }] });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("nothing spent: the refund takes nothing, and a second refund of the sale spares nothing twice", async () => {
    const tenantId = await tenantWithProgramme(db, expiring, "Refund After Expiry Twice");
    const c = await customer(tenantId, 80);
    const old = txMessage(tenantId, {
      customer: { id: c },
      occurredAt: daysAgo(40).toISOString(),
      lines: [line("MEAL", 6_000), line("SIDE", 4_000)],
    });
    await apply(old);
    expect((await expiryPass(tenantId)).acted).toBe(1);
    expect((await customerBalances(db, tenantId, c)).points).toBe(80);

    const first = refundOf(tenantId, old, [{ ...old.transaction.lines[0]!, lineNo: 0 }]);
    await apply(first);
    await apply(refundOf(tenantId, old, [{ ...old.transaction.lines[1]!, lineNo: 1 }]));
    expect((await customerBalances(db, tenantId, c)).points).toBe(80);
    expect((await refundRow(tenantId, first)).effects).toMatchObject({ expired: 60 });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
