import { describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, findBalanceDrift, setTierFloor } from "../src/index.ts";
import {
  base,
  batchDb,
  bronzeSilverGold,
  ledgerDeps,
  line,
  refundOf,
  tenantWithProgramme,
  txMessage,
} from "./batch-fixtures.ts";

// Sales that upgraded one after the other, refunded in separate batches: each batch reads back which upgrades earlier
// refunds took back, so the same sales left end at the same tier and balance whatever order they were refunded in.

const db = batchDb();
const tiers = bronzeSilverGold({ silver: 50, gold: 100 });

/**
 * One customer's sales (`prices` in minor units, 1 point per 1.00), a batch each, a second apart, then full refunds of
 * those in `order`, a batch each: the tier and points after every refund.
 */
async function refundInOrder(tenantId: string, phone: string, prices: number[], order: number[]) {
  const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(ledgerDeps(db), m);
  const start = Date.now() - 10 * 60_000;
  const sales = prices.map((price, k) =>
    txMessage(tenantId, {
      customer: { phone },
      lines: [line("MEAL", price)],
      occurredAt: new Date(start + k * 1_000).toISOString(),
    }),
  );
  for (const s of sales) await apply(s);
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const after: { tier: string | null; points: number }[] = [];
  for (const [n, k] of order.entries()) {
    const at = new Date(start + 60_000 + n * 1_000).toISOString();
    await apply(refundOf(tenantId, sales[k]!, [{ ...line("MEAL", prices[k]!), lineNo: 0 }], { occurredAt: at }));
    const loyalty = await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } });
    after.push({ tier: loyalty.tier, points: (await customerBalances(db, tenantId, id)).points });
  }
  return after;
}

describe("tier upgrades taken back by refunds in any order", () => {
  it("A (300: silver, +50) and B (250: gold, +100): A then B and B then A both end bronze with nothing left", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], tiers }, "Refund Order");
    const aThenB = await refundInOrder(tenantId, "+48600430001", [30_000, 25_000], [0, 1]);
    const bThenA = await refundInOrder(tenantId, "+48600430002", [30_000, 25_000], [1, 0]);
    // Refunding A first leaves 250: silver still earned, gold not, so B's gold and its reward go back.
    expect(aThenB).toEqual([
      { tier: "silver", points: 300 },
      { tier: "bronze", points: 0 },
    ]);
    expect(bThenA).toEqual([
      { tier: "silver", points: 350 },
      { tier: "bronze", points: 0 },
    ]);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a level skipped by an upgrade and left by a refund is taken back by a later refund", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], tiers }, "Refund Order Skipped");
    // 175 (bronze), 396 more (571: gold, silver skipped, +100), 251 more.
    const prices = [17_500, 39_600, 25_100];
    const first = await refundInOrder(tenantId, "+48600430003", prices, [1, 2]);
    const second = await refundInOrder(tenantId, "+48600430004", prices, [2, 1]);
    expect(first.at(-1)).toEqual({ tier: "bronze", points: 175 });
    expect(second.at(-1)).toEqual(first.at(-1));
    expect(first[0]).toEqual({ tier: "silver", points: 426 });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("a refund parked before its sale takes back, with that sale's batch, another sale's upgrade it leaves unbacked", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], tiers }, "Refund Order Parked");
    const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(ledgerDeps(db), m);
    const phone = "+48600430006";
    const start = Date.now() - 10 * 60_000;
    const at = (ms: number) => new Date(start + ms).toISOString();
    const a = txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 30_000)], occurredAt: at(0) });
    const b = txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 25_000)], occurredAt: at(1_000) });
    const refundA = refundOf(tenantId, a, [{ ...line("MEAL", 30_000), lineNo: 0 }], { occurredAt: at(60_000) });
    await apply(refundA);
    expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(1);
    // A (silver, +50) and B (gold, +100) in one batch, which refunds nothing of its own and takes A's refund at its
    // end: 250 left reaches silver only, so B's gold and its reward go back, as when A is refunded directly.
    await apply(a, b);
    expect(await db.parkedRefund.count({ where: { tenantId } })).toBe(0);
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    const standing = async () => ({
      tier: (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier,
      points: (await customerBalances(db, tenantId, id)).points,
    });
    expect(await standing()).toEqual({ tier: "silver", points: 300 });
    await apply(refundOf(tenantId, b, [{ ...line("MEAL", 25_000), lineNo: 0 }], { occurredAt: at(61_000) }));
    expect(await standing()).toEqual({ tier: "bronze", points: 0 });
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });

  it("an upgrade one refund took back, another sale's, is not taken back again by the refund of its own sale", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], tiers }, "Refund Order Floor");
    const deps = ledgerDeps(db);
    const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(deps, m);
    const phone = "+48600430005";
    const start = Date.now() - 10 * 60_000;
    const at = (ms: number) => new Date(start + ms).toISOString();
    const a = txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 30_000)], occurredAt: at(0) });
    const b = txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 25_000)], occurredAt: at(1_000) });
    await apply(a);
    await apply(b);
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    // Refunding A takes back B's gold (+100): 250 left reaches silver only.
    await apply(refundOf(tenantId, a, [{ ...line("MEAL", 30_000), lineNo: 0 }], { occurredAt: at(60_000) }));
    expect((await customerBalances(db, tenantId, id)).points).toBe(300);
    // Staff put the customer on gold; B's record alone still says its upgrade to gold stands.
    const programme = (await deps.programmes.inForce(tenantId, new Date()))!;
    const until = new Date(Date.now() + 30 * 86_400_000);
    await setTierFloor(
      db,
      tenantId,
      "key_admin",
      { customerId: id, tier: "gold", until, reason: "goodwill" },
      programme,
      new Date(start + 90_000),
    );
    await apply(refundOf(tenantId, b, [{ ...line("MEAL", 25_000), lineNo: 0 }], { occurredAt: at(120_000) }));

    const goldTakenBack = await db.ledgerMovement.findMany({
      where: { tenantId, customerId: id, kind: "bonus", amount: -100 },
    });
    expect(goldTakenBack).toHaveLength(1);
    expect((await customerBalances(db, tenantId, id)).points).toBeGreaterThanOrEqual(0);
    expect(await findBalanceDrift(db, tenantId)).toEqual([]);
  });
});
