import type { TransactionMessage } from "@regulars/contracts";
import type { Db, RawTx, TransactionRunner } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, findBalanceDrift, outboxEventsOf, placeHold } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import {
  apply,
  basket,
  checkoutProgramme,
  checkoutTenant,
  genericCoupon,
  givePoints,
  holdRequest,
  saleWithHold,
} from "./checkout-fixtures.ts";

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

  // The sale's credits are still the batch's pending movements when its refund comes in the same batch.
  it.each([
    ["in one batch", true],
    ["in two batches", false],
  ])("a sale's coupon credits are taken back once by its full refund %s", async (_, together) => {
    const { tenantId, customers, deps } = await checkoutTenant(db, 2);
    const [a, b] = customers as [string, string];
    await givePoints(db, tenantId, a, 100);
    await genericCoupon(db, tenantId, "BONUS20", { benefit: { kind: "bonus_points", points: 20 }, limits: {} });
    await genericCoupon(db, tenantId, "CASH5", { benefit: { kind: "wallet_cash", amount: 500 }, limits: {} });
    // One credit committed with a hold, one posted by the till without one.
    const placed = await placeHold(deps, tenantId, holdRequest(a, { couponCodes: ["BONUS20"] }));
    const held = saleWithHold(tenantId, a, placed.holdId, placed.quote.lines);
    const posted = txMessage(tenantId, { customer: { id: b }, couponCodes: ["CASH5"], lines: [line("MEAL", 1_000)] });
    const sales = [held, posted];
    const refunds = sales.map((s) => fullRefund(tenantId, s));
    const batches = together ? [[...sales, ...refunds]] : [sales, refunds];
    for (const batch of batches) await apply(db, batch);
    const balances = async () => [await customerBalances(db, tenantId, a), await customerBalances(db, tenantId, b)];
    expect(await balances()).toMatchObject([
      { points: 100, wallet: 0 },
      { points: 0, wallet: 0 },
    ]);
    const takenBack = () => db.$queryRaw<{ unit: string; amount: bigint }[]>`
      SELECT unit, amount FROM ledger_movements
      WHERE tenant_id = ${tenantId} AND idempotency_key LIKE 'coupon-undo:%' ORDER BY unit`;
    expect(await takenBack()).toEqual([
      { unit: "points", amount: -20n },
      { unit: "wallet", amount: -500n },
    ]);
    // Redelivered: nothing changes.
    for (const batch of batches) await apply(db, batch);
    expect(await balances()).toMatchObject([
      { points: 100, wallet: 0 },
      { points: 0, wallet: 0 },
    ]);
    expect(await takenBack()).toHaveLength(2);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  // Spend counts sales as posted (the store, the tier job): a refund of a hold sale posted at list price, applied in
  // its sale's batch, lowers it by what the sale counted, not by more than the batch had counted for it.
  it.each([
    ["after its sale", false],
    ["parked before its sale", true],
  ])(
    "a hold sale at list price refunded in full %s in its batch leaves the tier its other sales reached",
    async (_, parked) => {
      const tiers = {
        basis: "spend",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "silver", name: "Silver", threshold: 1500, benefits: { rewardPoints: 50 } },
        ],
      };
      const { tenantId, customers, deps } = await checkoutTenant(db, 1, { ...checkoutProgramme, tiers });
      const [c] = customers as [string];
      await givePoints(db, tenantId, c, 200);
      await apply(db, [txMessage(tenantId, { customer: { id: c }, lines: [line("MEAL", 1_600)] })]); // silver, +50
      const tier = async () => (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: c } })).tier;
      expect(await tier()).toBe("silver");
      // The hold pays 1000 of the 1600 with the 200 points; the till posts the basket at list price.
      const placed = await placeHold(deps, tenantId, holdRequest(c, { points: 200 }));
      const sale = txMessage(tenantId, {
        customer: { id: c },
        channel: "kiosk",
        lines: basket().lines,
        holdId: placed.holdId,
      });
      const refund = fullRefund(tenantId, sale);
      const { outcomes } = await apply(db, parked ? [refund, sale] : [sale, refund]);
      expect(outcomes.map((o) => o.kind)).toEqual(["done", "done"]);
      expect(await db.transaction.count({ where: { tenantId, externalId: refund.transaction.externalId } })).toBe(1);

      expect(await tier()).toBe("silver"); // 1600 + 1600 - 1600, as the store counts it
      const events = await outboxEventsOf(db, tenantId, "tier.changed");
      expect(events.map((e) => (e.payload as { to: string }).to)).toEqual(["silver"]);
      const undone = await db.ledgerMovement.count({
        where: { tenantId, idempotencyKey: { startsWith: "tier-undo:" } },
      });
      expect(undone).toBe(0);
      // The points back from the hold, the sale's 6 earned reversed: the first sale's 16 and its silver's 50 are kept.
      expect((await customerBalances(db, tenantId, c)).points).toBe(266);
      expect(await findBalanceDrift(db, tenantId)).toEqual([]);
    },
  );
});
