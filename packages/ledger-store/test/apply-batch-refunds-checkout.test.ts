import type { TransactionMessage } from "@regulars/contracts";
import type { Db, RawTx, TransactionRunner } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, findBalanceDrift, placeHold } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { apply, checkoutTenant, genericCoupon, givePoints, holdRequest, saleWithHold } from "./checkout-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

/** A refund of every line of the sale, in full. */
const fullRefund = (tenantId: string, sale: TransactionMessage) =>
  refundOf(
    tenantId,
    sale,
    sale.transaction.lines.map((l, lineNo) => ({ ...l, lineNo })),
  );

/** Every statement a batch's transaction sends to Postgres, counted. */
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
      // The pool is the worker's, shared by every batch of the test.
      close: async () => {},
    },
    statements: () => statements,
  };
}

describe("what a refund gives back of its sale's checkout", () => {
  it("a batch of full refunds of anonymous sales without coupons sends no statement per refund for the checkout", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] });
    const statementsToRefund = async (count: number) => {
      const sales = Array.from({ length: count }, () =>
        txMessage(tenantId, { lines: [line("MEAL", 1_000), line("TEA", 300)] }),
      );
      await applyTransactionBatch(ledgerDeps(db), sales);
      const deps = ledgerDeps(db);
      const counting = countingRunner(deps.transactions);
      const refunds = sales.map((s) => fullRefund(tenantId, s));
      const { outcomes } = await applyTransactionBatch({ ...deps, transactions: counting.runner }, refunds);
      expect(outcomes.map((o) => o.kind)).toEqual(refunds.map(() => "done"));
      expect(await db.transaction.count({ where: { id: { in: refunds.map((r) => r.transactionId) } } })).toBe(count);
      return counting.statements();
    };
    const forTwo = await statementsToRefund(2);
    expect(await statementsToRefund(20)).toBe(forTwo);
  });

  it("a sale refunded in full in its own batch gives back its hold's points and its coupon use", async () => {
    const { tenantId, customers, deps } = await checkoutTenant(db);
    const [c] = customers as [string];
    await givePoints(db, tenantId, c, 100);
    const campaign = await genericCoupon(db, tenantId, "EURO1", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: {},
    });
    const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 100, couponCodes: ["EURO1"] }));
    const sale = saleWithHold(tenantId, c, placed.holdId, placed.quote.lines);
    // An anonymous sale's code in the same batch: its use goes back with its refund too.
    const anonymous = txMessage(tenantId, { couponCodes: ["EURO1"], lines: [line("MEAL", 1_000)] });
    await apply(db, [sale, fullRefund(tenantId, sale), anonymous, fullRefund(tenantId, anonymous)]);
    // Spent and given back, earned and reversed.
    expect((await customerBalances(db, tenantId, c)).points).toBe(100);
    const uses = await db.$queryRaw<{ status: string; n: bigint }[]>`
      SELECT status, count(*) AS n FROM coupon_uses WHERE campaign_id = ${campaign} GROUP BY status`;
    expect(uses).toEqual([{ status: "returned", n: 2n }]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
