import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, type RawTx, withTransaction } from "@regulars/db";
import { tierWindowStart } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadLoyaltyStates } from "../src/customers/loyalty-state.ts";
import { applyTransactionBatch, postMovements } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// A tier window is the customer's own: an offline sale made last year and uploaded in the new one is judged in the
// year it was made, whoever else's sales share its batch. A rolling window ends at each customer's own latest sale.

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

it("reads every customer's own rolling window in one statement, each with the right points", async () => {
  const rolling = { ...programme, tiers: { ...programme.tiers, window: "rolling_12_months" } } as const;
  const { tenantId, customers } = await tenantWithCustomers(db, 40, "Rolling Grill");
  const now = Date.now();
  // Every customer earned 100 points 13 months ago and 50 a month ago. The even ones' latest sale in the batch is
  // today, so only the 50 are in their window; the odd ones' is 6 months back, so both are.
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.flatMap((customerId, c) => [
        earnedLot({ tenantId, customerId, amount: 100, key: `roll:${c}:old`, occurredAt: new Date(now - 395 * DAY) }),
        earnedLot({ tenantId, customerId, amount: 50, key: `roll:${c}:new`, occurredAt: new Date(now - 30 * DAY) }),
      ]),
    ),
  );
  const latestOf = new Map(customers.map((id, c) => [id, new Date(now - (c % 2) * 182 * DAY - c).toISOString()]));
  let statements = 0;
  const states = await withTransaction(db, (tx) => {
    const counted: RawTx = {
      ...tx,
      $queryRaw: ((...args: Parameters<RawTx["$queryRaw"]>) => {
        statements++;
        return tx.$queryRaw(...args);
      }) as RawTx["$queryRaw"],
    };
    return loadLoyaltyStates(counted, tenantId, customers, {
      config: ProgrammeConfig.parse(rolling),
      timezone: "Europe/Warsaw",
      from: new Date(now - 182 * DAY - 40).toISOString(),
      to: new Date(now).toISOString(),
      toOf: latestOf,
    });
  });
  expect(customers.map((id) => states.get(id)!.qualifying)).toEqual(customers.map((_, c) => (c % 2 ? 150 : 50)));
  // The customers and their qualifying points: not a statement per customer.
  expect(statements).toBe(2);
});
