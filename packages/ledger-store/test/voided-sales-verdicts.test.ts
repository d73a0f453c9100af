import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, qualifyingValues, refundedSalesVerdicts } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// The profile writer's verdicts (`refundedSalesVerdicts`) and the order-count tier basis judge a sale void by one
// rule: on each case the rule tells apart, a sale is voided exactly when the basis no longer counts it. Sales without
// a refund, and keys naming no sale, get no verdict at all.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const apply = async (...messages: TransactionMessage[]) => {
  const { outcomes } = await applyTransactionBatch(ledgerDeps(db), messages);
  expect(outcomes.every((o) => o.kind === "done")).toBe(true);
};

describe("voided sales' verdicts", () => {
  it("agree with the order-count tier basis, and leave out sales never refunded", async () => {
    const tenantId = await tenantWithProgramme(db, { rules: [base] }, "Voided Verdicts");
    const meal = line("MEAL", 600);
    const cola = line("COLA", 200);
    const freeMeal = line("MEAL", 1_000, { discount: 1_000 });
    const freeCola = line("COLA", 500, { discount: 500 });
    // [case, sale's lines, refunds' lines, voided]
    const cases: [string, ReturnType<typeof line>[], Record<string, unknown>[][], boolean][] = [
      [
        "full refund",
        [meal, cola],
        [
          [
            { ...meal, lineNo: 0 },
            { ...cola, lineNo: 1 },
          ],
        ],
        true,
      ],
      ["partial refund", [meal, cola], [[{ ...cola, lineNo: 1 }]], false],
      ["two partial refunds making a whole", [meal, cola], [[{ ...cola, lineNo: 1 }], [{ ...meal, lineNo: 0 }]], true],
      ["paid without money, one line back", [freeMeal, freeCola], [[{ ...freeCola, lineNo: 1 }]], false],
      [
        "paid without money, every line back",
        [freeMeal, freeCola],
        [[{ ...freeCola, lineNo: 1 }], [{ ...freeMeal, lineNo: 0 }]],
        true,
      ],
      ["never refunded", [meal], [], false],
    ];
    const sales = cases.map(([, lines], i) => txMessage(tenantId, { customer: { phone: `+4871999040${i}` }, lines }));
    await apply(...sales);
    for (const [i, [, , refunds]] of cases.entries())
      for (const lines of refunds) await apply(refundOf(tenantId, sales[i]!, lines));

    const keys = sales.map((s) => ({ tenantId, externalId: s.transaction.externalId }));
    const verdicts = await db.$queryRaw<{ external_id: string; voided: boolean; transaction_ids: string[] }[]>(
      refundedSalesVerdicts([...keys, { tenantId, externalId: "NO-SUCH-SALE" }]),
    );
    const verdictOf = new Map(verdicts.map((v) => [v.external_id, v]));
    const customers = await Promise.all(
      cases.map(async (_, i) => {
        const phone = `+4871999040${i}`;
        return (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
      }),
    );
    const orders = new Map(
      (await qualifyingValues(db, tenantId, customers, "orders", new Date(0))).map((r) => [
        r.customer_id,
        Number(r.value),
      ]),
    );

    expect(verdicts.length).toBe(cases.length - 1); // the sale never refunded, and the unknown key: no verdict
    for (const [i, [name, , refunds, voided]] of cases.entries()) {
      const verdict = verdictOf.get(keys[i]!.externalId);
      expect({ name, voided: verdict?.voided ?? false }).toEqual({ name, voided });
      expect({ name, orders: orders.get(customers[i]!) ?? 0 }).toEqual({ name, orders: voided ? 0 : 1 });
      if (verdict) expect({ name, facts: verdict.transaction_ids.length }).toEqual({ name, facts: 1 + refunds.length });
    }
  });
});
