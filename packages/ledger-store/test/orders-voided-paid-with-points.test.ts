import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qualifyingItemsStatement } from "../src/accounts/qualifying.ts";
import { applyTransactionBatch, qualifyingValueNow } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// On an order-count basis, a sale paid wholly with points or wallet (total 0) is an order until its refunds named
// every line: they give no money back, so what refunds took back cannot tell it from one never refunded.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const tiers = {
  basis: "orders" as const,
  window: "lifetime" as const,
  levels: [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: 10 },
  ],
};

describe("orders counted for a tier", () => {
  it("leave out a sale paid wholly with points once refunded, and keep one never refunded", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], tiers });
    const phone = "+48719990201";
    const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(ledgerDeps(db), m);
    const paidWithPoints = () =>
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 1_000, { discount: 1_000 })] });
    const [paid, kept, voided] = [
      txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", 1_000)] }),
      paidWithPoints(),
      paidWithPoints(),
    ];
    await apply(paid, kept, voided);
    await apply(refundOf(tenantId, voided, [line("MEAL", 1_000, { discount: 1_000 })]));
    const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;

    expect(await qualifyingValueNow(db, tenantId, customerId, tiers, "Europe/Warsaw", new Date())).toBe(2);
    const items = await db.$queryRaw<{ value: bigint }[]>(
      qualifyingItemsStatement(tenantId, [customerId], "orders", [new Date(0)], [null]),
    );
    expect(items.length).toBe(2);
  });

  it("keep a sale paid wholly with points when a refund names only some of its lines", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], tiers });
    const phone = "+48719990202";
    const apply = (...m: Parameters<typeof applyTransactionBatch>[1]) => applyTransactionBatch(ledgerDeps(db), m);
    const meal = line("MEAL", 1_000, { discount: 1_000 });
    const coke = line("COKE", 500, { discount: 500 });
    const sale = txMessage(tenantId, { customer: { phone }, lines: [meal, coke] });
    await apply(sale);
    const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
    const orders = () => qualifyingValueNow(db, tenantId, customerId, tiers, "Europe/Warsaw", new Date());

    await apply(refundOf(tenantId, sale, [coke]));
    expect(await orders()).toBe(1);
    const items = () =>
      db.$queryRaw<{ value: bigint }[]>(
        qualifyingItemsStatement(tenantId, [customerId], "orders", [new Date(0)], [null]),
      );
    expect((await items()).length).toBe(1);
    await apply(refundOf(tenantId, sale, [meal]));
    expect(await orders()).toBe(0);
    expect((await items()).length).toBe(0);
  });
});
