import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyTransactionBatch,
  customerBalances,
  expireParkedRefunds,
  findBalanceDrift,
  outboxEventsOf,
} from "../src/index.ts";
import {
  base,
  gatedBeforeCommit,
  ledgerDeps,
  line,
  refundOf,
  tenantWithProgramme,
  txMessage,
} from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const apply = (...messages: Parameters<typeof applyTransactionBatch>[1]) =>
  applyTransactionBatch(ledgerDeps(db), messages);
const customerOf = async (tenantId: string, phone: string) =>
  (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
const rejection = async (tenantId: string, externalId: string) =>
  db.transactionRejection.findFirst({ where: { tenantId, externalId } });
const pointsOf = async (tenantId: string, externalId: string) =>
  Number((await db.transaction.findFirstOrThrow({ where: { tenantId, externalId } })).pointsAwarded);

describe("refunds name the sale's lines and are measured by money", () => {
  it("half of a line's price refunded reverses half of its points; lineNo picks the line among equal skus", async () => {
    const tenant = await tenantWithProgramme(db, {
      rules: [base, { id: "new", type: "multiplier", factor: 3, products: { tags: ["new"] } }],
    });
    const sale = txMessage(tenant, {
      customer: { phone: "+48710000001" },
      lines: [line("BURGER", 2_000), line("BURGER", 2_000, { tags: ["new"] })],
    }); // 20 + 60
    await apply(sale);
    const half = refundOf(tenant, sale, [{ ...line("BURGER", 1_000), lineNo: 1 }]);
    await apply(half);
    expect(await pointsOf(tenant, half.transaction.externalId)).toBe(-30); // half of line 1's 60, not line 0's 20
    const byLine = await db.transactionLine.findFirstOrThrow({ where: { transactionId: half.transactionId } });
    expect(byLine.refundsLineNo).toBe(1);
    const bySku = refundOf(tenant, sale, [line("BURGER", 2_000)]); // no lineNo: the first BURGER line with money left
    await apply(bySku);
    expect(await pointsOf(tenant, bySku.transaction.externalId)).toBe(-20);
    const rest = refundOf(tenant, sale, [line("BURGER", 1_000)]);
    await apply(rest);
    expect(await pointsOf(tenant, rest.transaction.externalId)).toBe(-30);
    expect((await customerBalances(db, tenant, await customerOf(tenant, "+48710000001"))).points).toBe(0);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });

  it("refuses a line the sale does not have, a sku compared otherwise than stored, and money beyond the line", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48710000002" }, lines: [line("Fries-L", 700)] });
    await apply(sale);
    const cases = [
      [refundOf(tenant, sale, [line("FRIES-L", 700)]), "refund_line_not_in_sale"],
      [refundOf(tenant, sale, [{ ...line("Fries-L", 100), lineNo: 4 }]), "refund_line_not_in_sale"],
      [refundOf(tenant, sale, [line("Fries-L", 701)]), "refund_exceeds_sale"],
    ] as const;
    for (const [refund, code] of cases) {
      const { outcomes } = await apply(refund);
      expect(outcomes[0]).toMatchObject({ kind: "reject", reason: expect.stringMatching(new RegExp(`^${code}: `)) });
      expect(await rejection(tenant, refund.transaction.externalId)).toMatchObject({ code });
      expect(await db.transaction.count({ where: { id: refund.transactionId } })).toBe(0);
    }
  });

  it("a refund in the same batch as its sale applies after it; one before its sale waits for the sale", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48710000003" }, lines: [line("MEAL", 3_000)] });
    const early = refundOf(tenant, sale, [line("MEAL", 1_000)]);
    const late = refundOf(tenant, sale, [line("MEAL", 1_000)]);
    const { outcomes } = await apply(early, sale, late);
    expect(outcomes.map((o) => o.kind)).toEqual(["done", "done", "done"]);
    expect(await pointsOf(tenant, late.transaction.externalId)).toBe(-10);
    expect(await pointsOf(tenant, early.transaction.externalId)).toBe(-10); // at the end of the batch, after its sale
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(0);
    expect((await apply(early)).outcomes[0]!.kind).toBe("done"); // applied before: changes nothing
    expect((await customerBalances(db, tenant, await customerOf(tenant, "+48710000003"))).points).toBe(10);
  });

  it("a refund whose sale is still on its way is parked, its partition goes on, and it applies right after the sale", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48710000005" }, lines: [line("MEAL", 2_000)] });
    const refund = refundOf(tenant, sale, [line("MEAL", 500)]);
    expect((await apply(refund)).outcomes).toEqual([{ kind: "done" }]);
    expect(await db.transaction.count({ where: { tenantId: tenant } })).toBe(0);
    expect(await db.parkedRefund.findMany({ where: { tenantId: tenant }, select: { transactionId: true } })).toEqual([
      { transactionId: refund.transactionId },
    ]);
    expect((await apply(refund)).outcomes).toEqual([{ kind: "done" }]); // a redelivery parks it once
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(1);

    await apply(sale);
    expect(await pointsOf(tenant, refund.transaction.externalId)).toBe(-5);
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(0);
    expect((await customerBalances(db, tenant, await customerOf(tenant, "+48710000005"))).points).toBe(15);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });

  it("a refund whose sale another worker has applied but not committed yet waits for it, and is not parked for ever", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48710000011" }, lines: [line("MEAL", 2_000)] });
    // A void without a customer goes to another partition than its sale, so another worker takes it.
    const refund = refundOf(tenant, sale, [line("MEAL", 2_000)]);
    const gated = gatedBeforeCommit();
    const saleWorker = applyTransactionBatch({ ...ledgerDeps(db), transactions: gated.runner }, [sale]);
    await gated.reached; // the sale is applied and has looked for parked refunds, uncommitted
    const refundWorker = applyTransactionBatch(ledgerDeps(db), [refund]);
    // The refund's worker must wait for the sale's: finished first, it could only park the refund where the
    // sale's worker, which has already looked, never finds it.
    const first = await Promise.race([refundWorker.then(() => "refund"), waitingForALock().then(() => "waiting")]);
    gated.open();
    await Promise.all([saleWorker, refundWorker]);
    expect(first).toBe("waiting");
    expect(await db.parkedRefund.count({ where: { tenantId: tenant } })).toBe(0);
    expect(await pointsOf(tenant, refund.transaction.externalId)).toBe(-20);
    expect((await customerBalances(db, tenant, await customerOf(tenant, "+48710000011"))).points).toBe(0);
    await gated.runner.close();
  });

  it("a refund waits for its sale only so long from its parking, then is rejected with the reason", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base] });
    const sale = txMessage(tenant, { customer: { phone: "+48710000004" } });
    const refund = refundOf(tenant, sale, [line("MEAL", 500)]);
    const deps = ledgerDeps(db, { refundWaitMs: 60_000 });
    expect((await applyTransactionBatch(deps, [refund])).outcomes[0]).toEqual({ kind: "done" });
    const later = new Date(Date.parse(refund.receivedAt) + 61_000); // the clock is injected
    expect(await expireParkedRefunds(db, new Date(Date.parse(refund.receivedAt) + 59_000), 60_000)).toEqual([]);
    const expired = await expireParkedRefunds(db, later, 60_000);
    expect(expired.map((r) => r.message?.transactionId)).toEqual([refund.transactionId]);
    expect(expired[0]!.reason).toMatch(/did not arrive within 60 seconds/);
    expect(await rejection(tenant, refund.transaction.externalId)).toMatchObject({ code: "refunded_sale_not_found" });
    expect(await expireParkedRefunds(db, later, 60_000)).toEqual([]); // taken once

    // One the ledger reads only after its wait, counted from the gateway's receipt, would be over (a ledger
    // catching up) still waits the whole wait from its parking, and its sale arriving then refunds it.
    const overdue = refundOf(tenant, sale, [line("MEAL", 100)]);
    const given = await applyTransactionBatch(ledgerDeps(db, { refundWaitMs: 60_000, now: () => later }), [overdue]);
    expect(given.outcomes[0]).toEqual({ kind: "done" });
    const parked = await db.parkedRefund.findFirstOrThrow({ where: { tenantId: tenant } });
    expect(parked.deadline).toEqual(new Date(later.getTime() + 60_000));
    await applyTransactionBatch(ledgerDeps(db, { refundWaitMs: 60_000, now: () => later }), [sale]);
    expect(await rejection(tenant, overdue.transaction.externalId)).toBeNull();
    expect(await pointsOf(tenant, overdue.transaction.externalId)).toBe(-1);
  });
});

describe("a refund takes back what the sale produced, where the programme says so", () => {
  const tiers = {
    basis: "points_earned",
    window: "lifetime",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 25 } },
    ],
  };

  it("buy to reach gold, then refund: back to silver, the gold reward and its points reversed, one tier event each way", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base], tiers });
    const phone = "+48710000010";
    await apply(txMessage(tenant, { customer: { phone }, lines: [line("FEAST", 30_000)] })); // 300: silver
    const big = txMessage(tenant, { customer: { phone }, lines: [line("FEAST", 25_000)] }); // 550: gold, +25
    await apply(big);
    const id = await customerOf(tenant, phone);
    expect(await db.customerLoyalty.findUnique({ where: { customerId: id } })).toMatchObject({ tier: "gold" });
    expect((await customerBalances(db, tenant, id)).points).toBe(575);

    await apply(refundOf(tenant, big, [line("FEAST", 25_000)]));
    expect(await db.customerLoyalty.findUnique({ where: { customerId: id } })).toMatchObject({ tier: "silver" });
    expect((await customerBalances(db, tenant, id)).points).toBe(300);
    const events = await outboxEventsOf(db, tenant, "tier.changed");
    expect(events.map((e) => [(e.payload as { from: string }).from, (e.payload as { to: string }).to])).toEqual([
      [null, "silver"],
      ["silver", "gold"],
      ["gold", "silver"],
    ]);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });

  it("on an order-count basis, an order refunded in full stops counting also for later batches", async () => {
    const byOrders = {
      basis: "orders",
      window: "lifetime",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "silver", name: "Silver", threshold: 3 },
        { id: "gold", name: "Gold", threshold: 4 },
      ],
    };
    const tenant = await tenantWithProgramme(db, { rules: [base], tiers: byOrders });
    const phone = "+48710000020";
    const sales = [1, 2, 3].map(() => txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000)] }));
    await apply(...sales);
    const id = await customerOf(tenant, phone);
    const tier = async () => (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier;
    expect(await tier()).toBe("silver");
    await apply(refundOf(tenant, sales[2]!, [line("MEAL", 1_000)])); // the whole order that made them silver
    expect(await tier()).toBe("bronze");
    // A new batch loads the count from the database: two orders left plus this one is three, silver, not gold.
    await apply(txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000)] }));
    expect(await tier()).toBe("silver");
  });

  it("keeps the tier when what is left still qualifies, and keeps everything when the programme says refunds do not take tiers back", async () => {
    const keeps = await tenantWithProgramme(db, { rules: [base], tiers });
    const phone = "+48710000011";
    const sale = txMessage(keeps, { customer: { phone }, lines: [line("FEAST", 60_000)] }); // 600: gold
    await apply(sale);
    await apply(refundOf(keeps, sale, [line("FEAST", 5_000)])); // 550 left: still gold
    expect(
      await db.customerLoyalty.findUnique({ where: { customerId: await customerOf(keeps, phone) } }),
    ).toMatchObject({ tier: "gold" });

    const lenient = await tenantWithProgramme(db, { rules: [base], tiers, refunds: { tierRewards: false } });
    const first = txMessage(lenient, { customer: { phone }, lines: [line("FEAST", 60_000)] });
    await apply(first);
    await apply(refundOf(lenient, first, [line("FEAST", 60_000)]));
    expect(
      await db.customerLoyalty.findUnique({ where: { customerId: await customerOf(lenient, phone) } }),
    ).toMatchObject({ tier: "gold" });
  });

  it("stamps go back with a refunded visit, undoing the completion and the card reward it paid", async () => {
    const card = { id: "visits", name: "5th visit free", stampsRequired: 5, rewardPoints: 100 };
    const tenant = await tenantWithProgramme(db, { rules: [base], stampCards: [card] });
    const phone = "+48710000012";
    const visits = Array.from({ length: 5 }, () =>
      txMessage(tenant, { customer: { phone }, lines: [line("COFFEE", 300)] }),
    );
    for (const v of visits) await apply(v); // the 5th completes the card (+100)
    const id = await customerOf(tenant, phone);
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({
      stamps: 0,
      completed: 1,
    });
    expect((await customerBalances(db, tenant, id)).points).toBe(5 * 3 + 100);

    const partial = refundOf(tenant, visits[4]!, [line("COFFEE", 100)]); // not the whole visit: the stamp stays
    await apply(partial);
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({
      stamps: 0,
      completed: 1,
    });
    await apply(refundOf(tenant, visits[4]!, [line("COFFEE", 200)])); // now the whole visit: 4 visits left
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({
      stamps: 4,
      completed: 0,
    });
    expect((await customerBalances(db, tenant, id)).points).toBe(4 * 3); // the fifth visit's 3 points and the reward are gone
    expect(await findBalanceDrift(db, tenant)).toEqual([]);

    // A sixth visit completes the card again and pays again; refunding an earlier visit then keeps it (5 visits remain).
    await apply(txMessage(tenant, { customer: { phone }, lines: [line("COFFEE", 300)] }));
    await apply(txMessage(tenant, { customer: { phone }, lines: [line("COFFEE", 300)] }));
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({
      stamps: 1,
      completed: 1,
    });
    await apply(refundOf(tenant, visits[0]!, [line("COFFEE", 300)]));
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({
      stamps: 0,
      completed: 1,
    });
    expect((await customerBalances(db, tenant, id)).points).toBe(5 * 3 + 100);
  });

  it("item stamps go back by refunded units", async () => {
    const card = {
      id: "coffees",
      name: "10 coffees",
      stampsRequired: 10,
      per: "item",
      match: { skus: ["COFFEE"] },
      rewardPoints: 50,
    };
    const tenant = await tenantWithProgramme(db, { rules: [base], stampCards: [card] });
    const phone = "+48710000013";
    const sale = txMessage(tenant, {
      customer: { phone },
      lines: [line("COFFEE", 300, { quantity: 4 }), line("CAKE", 500)],
    });
    await apply(sale);
    const id = await customerOf(tenant, phone);
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({ stamps: 4 });
    await apply(refundOf(tenant, sale, [line("COFFEE", 300, { quantity: 2 })]));
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({ stamps: 2 });
    await apply(refundOf(tenant, sale, [line("CAKE", 500)])); // no coffee: no stamp back
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({ stamps: 2 });
  });
});

/** Resolves once some session of the test database waits for a lock (the refund's worker, here), or after 10 s. */
async function waitingForALock(): Promise<void> {
  for (let tries = 0; tries < 500; tries++) {
    const [row] = await db.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (row!.n > 0n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
}
