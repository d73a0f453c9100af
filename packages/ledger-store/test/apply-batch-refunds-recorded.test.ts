import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, findBalanceDrift, outboxEventsOf } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

/**
 * A refund takes back what its sale counted and paid as the store records it: an order paid without money goes once
 * its refunds named every line (as the order-count basis reads it), a stamp card's reward at what the sale paid.
 */

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const MIN = 60_000;
const apply = (...messages: Parameters<typeof applyTransactionBatch>[1]) =>
  applyTransactionBatch(ledgerDeps(db), messages);
const customerOf = async (tenantId: string, phone: string) =>
  (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;

describe("refunds of what the sale recorded", () => {
  /** Silver at two orders, with a 50-point reward. */
  const ordersTiers = {
    basis: "orders",
    window: "lifetime",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 2, benefits: { rewardPoints: 50 } },
    ],
  };

  it("on an order-count basis, refunding the one line of a sale that cost no money takes back its order", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base], tiers: ordersTiers });
    const phone = "+48710000030";
    await apply(txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000)] })); // 1 order, 10 points
    const free = txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000, { discount: 1_000 })] });
    expect(free.transaction.total).toBe(0);
    await apply(free);
    const id = await customerOf(tenant, phone);
    const tier = async () => (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier;
    expect(await tier()).toBe("silver");
    expect((await customerBalances(db, tenant, id)).points).toBe(60);

    await apply(refundOf(tenant, free, [{ ...line("MEAL", 1_000, { discount: 1_000 }), lineNo: 0 }]));
    expect(await tier()).toBe("bronze");
    expect((await customerBalances(db, tenant, id)).points).toBe(10);
    const events = await outboxEventsOf(db, tenant, "tier.changed");
    expect(events.map((e) => (e.payload as { to: string }).to)).toEqual(["bronze", "silver", "bronze"]);
    // The store agrees: one order left, so the next one makes two, silver again.
    await apply(txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000)] }));
    expect(await tier()).toBe("silver");
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });

  it("lines of a sale that cost no money named by refunds in earlier batches count with the last one's", async () => {
    const tenant = await tenantWithProgramme(db, { rules: [base], tiers: ordersTiers });
    const phone = "+48710000032";
    await apply(txMessage(tenant, { customer: { phone }, lines: [line("MEAL", 1_000)] }));
    const lines = [line("MEAL", 1_000, { discount: 1_000 }), line("TEA", 300, { discount: 300 })];
    const free = txMessage(tenant, { customer: { phone }, lines });
    await apply(free);
    const id = await customerOf(tenant, phone);
    const tier = async () => (await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } })).tier;
    expect(await tier()).toBe("silver");
    await apply(refundOf(tenant, free, [{ ...lines[1]!, lineNo: 1 }])); // the tea alone: still an order
    expect(await tier()).toBe("silver");
    await apply(refundOf(tenant, free, [{ ...lines[0]!, lineNo: 0 }])); // the meal too: every line named
    expect(await tier()).toBe("bronze");
    expect((await customerBalances(db, tenant, id)).points).toBe(10);
  });

  it("a refund after the programme removed a stamp card takes back the card's stamps and the reward it paid", async () => {
    const card = { id: "visits", name: "2nd visit free", stampsRequired: 2, rewardPoints: 40 };
    const tenant = await tenantWithProgramme(db, { rules: [base], stampCards: [card] });
    const now = new Date();
    const at = (min: number) => new Date(now.getTime() + min * MIN).toISOString();
    const phone = "+48710000031";
    const visits = [at(-30), at(-20)].map((occurredAt) =>
      txMessage(tenant, { customer: { phone }, occurredAt, lines: [line("COFFEE", 300)] }),
    );
    for (const v of visits) await apply(v); // the second completes the card (+40)
    const id = await customerOf(tenant, phone);
    expect((await customerBalances(db, tenant, id)).points).toBe(2 * 3 + 40);
    // Ten minutes ago the programme dropped its stamp cards.
    await db.programmeVersion.create({
      data: {
        tenantId: tenant,
        version: 3,
        effectiveFrom: new Date(at(-10)),
        config: ProgrammeConfig.parse({ rules: [base] }),
        createdBy: "test",
      },
    });

    await apply(refundOf(tenant, visits[1]!, [line("COFFEE", 300)]));
    expect(await db.stampCardProgress.findFirst({ where: { customerId: id } })).toMatchObject({
      stamps: 1,
      completed: 0,
    });
    expect((await customerBalances(db, tenant, id)).points).toBe(3);
    const undone = await db.ledgerMovement.findMany({
      where: { tenantId: tenant, idempotencyKey: { startsWith: "stamp-undo:" } },
      select: { amount: true, reason: true },
    });
    expect(undone).toEqual([{ amount: -40n, reason: expect.stringContaining('"visits"') }]);
    expect(await findBalanceDrift(db, tenant)).toEqual([]);
  });
});
