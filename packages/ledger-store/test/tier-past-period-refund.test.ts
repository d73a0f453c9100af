import type { Db, RawTx, TransactionRunner } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTransactionBatch } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A refund of a sale of a past period (a December sale refunded in January) is judged on the sale's own year after
// the refund and on the year in force: the upgrade it made is undone, with its reward, when neither still qualifies.
// Left in place, a refund after the tier job closed December would keep a gold December no longer earned for a year.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const programme = {
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 100 } },
    ],
  },
};
// Long past whenever this runs: a December and the January after it.
const year = new Date().getUTCFullYear() - 2;
const december = (day: number) => new Date(`${year}-12-${day}T12:00:00+01:00`);
const january = (day: number) => new Date(`${year + 1}-01-0${day}T12:00:00+01:00`);
const saleAt = (tenantId: string, phone: string, points: number, at: Date) =>
  txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: at.toISOString() },
    new Date(at.getTime() + 60_000),
  );
const fullRefundAt = (tenantId: string, sale: ReturnType<typeof txMessage>, points: number, at: Date) =>
  refundOf(tenantId, sale, [line("MEAL", points * 100, { lineNo: 0 })], { occurredAt: at.toISOString() });
const apply = (...messages: ReturnType<typeof txMessage>[]) => applyTransactionBatch(ledgerDeps(db), messages);
async function standing(tenantId: string, phone: string) {
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: customer.id } });
  const moves = await db.ledgerMovement.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
  return { tier: loyalty?.tier, moves: moves.map((m) => `${m.kind} ${m.amount}`) };
}

/** 450 earned on 10 December (silver), then the sale of 20 December that alone makes gold (550, +100). */
async function goldOnDecember20(tenantId: string, phone: string) {
  await apply(saleAt(tenantId, phone, 450, december(10)));
  const up = saleAt(tenantId, phone, 100, december(20));
  await apply(up);
  expect((await standing(tenantId, phone)).tier).toBe("gold");
  return up;
}

it("refunded on 2 January, the December sale that alone made gold takes gold and its reward back, as on 21 December", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Grill");
  const [inDecember, inJanuary] = ["+48600400401", "+48600400402"];
  const upDec = await goldOnDecember20(tenantId, inDecember);
  const upJan = await goldOnDecember20(tenantId, inJanuary);

  await apply(fullRefundAt(tenantId, upDec, 100, december(21)));
  await apply(fullRefundAt(tenantId, upJan, 100, january(2)));
  // December's year now holds 450 either way: silver, and the 100 gold paid is taken back.
  const expected = { tier: "silver", moves: ["earn 450", "earn 100", "bonus 100", "reverse -100", "bonus -100"] };
  expect(await standing(tenantId, inDecember)).toEqual(expected);
  expect(await standing(tenantId, inJanuary)).toEqual(expected);
});

it("refunded on 2 January beside a January sale, the same: one batch ends as two", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Batch Grill");
  const [one, two] = ["+48600400411", "+48600400412"];
  const upOne = await goldOnDecember20(tenantId, one);
  const upTwo = await goldOnDecember20(tenantId, two);
  await apply(saleAt(tenantId, two, 30, january(2)));
  await apply(fullRefundAt(tenantId, upTwo, 100, january(3)));
  await apply(saleAt(tenantId, one, 30, january(2)), fullRefundAt(tenantId, upOne, 100, january(3)));
  const [inOne, inTwo] = [await standing(tenantId, one), await standing(tenantId, two)];
  expect(inTwo).toEqual({
    tier: "silver",
    moves: ["earn 450", "earn 100", "bonus 100", "earn 30", "reverse -100", "bonus -100"],
  });
  expect(inOne).toEqual(inTwo);
});

it("refunded in January by a customer who already reached gold in the new year, gold and its reward stay", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Kept Grill");
  const phone = "+48600400421";
  const up = await goldOnDecember20(tenantId, phone);
  await apply(saleAt(tenantId, phone, 520, january(2))); // the new year alone qualifies for gold
  await apply(fullRefundAt(tenantId, up, 100, january(3)));
  expect(await standing(tenantId, phone)).toEqual({
    tier: "gold",
    moves: ["earn 450", "earn 100", "bonus 100", "earn 520", "reverse -100"],
  });
});

/** Every statement a batch's transaction sends to Postgres, counted (as `apply-batch-refunds-checkout` counts). */
function countingRunner(runner: TransactionRunner): { runner: TransactionRunner; statements: () => number } {
  let statements = 0;
  const counted = <F extends (...args: never[]) => unknown>(f: F): F =>
    ((...args: Parameters<F>) => {
      statements++;
      return f(...args);
    }) as F;
  return {
    runner: {
      run: (fn) =>
        runner.run((tx) =>
          fn({
            $queryRaw: counted(tx.$queryRaw),
            $executeRaw: counted(tx.$executeRaw),
            $queryRawUnsafe: counted(tx.$queryRawUnsafe),
            $executeRawUnsafe: counted(tx.$executeRawUnsafe),
          } as RawTx),
        ),
      close: async () => {},
    },
    statements: () => statements,
  };
}

it("reads December once more for a batch of refunds reaching into it, however many, and nothing more otherwise", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Past Refund Reads Grill");
  let phone = 400430;
  /** Sales of 50 (bronze, no tier moves) made at `soldAt` for `count` customers, refunded in one batch on 3 January. */
  const statementsToRefund = async (count: number, soldAt: Date) => {
    const sales = Array.from({ length: count }, () => saleAt(tenantId, `+48600${++phone}`, 50, soldAt));
    for (const sale of sales) await apply(sale);
    const deps = ledgerDeps(db);
    const counting = countingRunner(deps.transactions);
    const refunds = sales.map((sale) => fullRefundAt(tenantId, sale, 50, january(3)));
    const { outcomes } = await applyTransactionBatch({ ...deps, transactions: counting.runner }, refunds);
    expect(outcomes.map((o) => o.kind)).toEqual(refunds.map(() => "done"));
    return counting.statements();
  };
  const inWindow = await statementsToRefund(2, january(2));
  expect(await statementsToRefund(2, december(20))).toBe(inWindow + 1);
  expect(await statementsToRefund(5, december(20))).toBe(inWindow + 1);
});
