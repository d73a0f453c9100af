import type { Db } from "@regulars/db";
import { tierWindowStart } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTransactionBatch } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A tier window is the customer's own: an offline sale made last year and uploaded in the new one is judged in the
// year it was made, whoever else's sales share its batch.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const programme = {
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500 },
    ],
  },
};

const tierOf = async (tenantId: string, phone: string) => {
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  return (await db.customerLoyalty.findUnique({ where: { customerId: customer.id } }))?.tier;
};

it("an offline sale of last year, in a batch with today's sales, is judged on last year's points", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Year End Grill");
  const now = new Date();
  const thisYear = tierWindowStart("calendar_year", now.toISOString(), "Europe/Warsaw")!;
  const lastYear = (daysBefore: number) => new Date(thisYear.getTime() - daysBefore * DAY).toISOString();
  const sale = (phone: string, total: number, occurredAt: string) =>
    txMessage(tenantId, { customer: { phone }, lines: [line("MEAL", total)], occurredAt });
  const apply = (...messages: ReturnType<typeof sale>[]) => applyTransactionBatch(ledgerDeps(db), messages);

  await apply(sale("+48600400001", 40_000, lastYear(20))); // 400 points last year: silver
  expect(await tierOf(tenantId, "+48600400001")).toBe("silver");
  // Uploaded today beside another customer's sale of today: 150 more points of last year make 550.
  await apply(sale("+48600400001", 15_000, lastYear(5)), sale("+48600400002", 1_000, now.toISOString()));
  expect(await tierOf(tenantId, "+48600400001")).toBe("gold");
});
