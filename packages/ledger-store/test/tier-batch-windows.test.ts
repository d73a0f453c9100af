import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, type RawTx, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadLoyaltyStates } from "../src/customers/loyalty-state.ts";
import { applyTransactionBatch, postMovements } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// A customer's transactions in one batch may fall in several tier windows: each is judged in its own, as in a batch
// of its own. The windows besides each customer's latest are read in one statement, and only when there are any.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const tiers = (window: "calendar_year" | "rolling_12_months") => ({
  rules: [base],
  tiers: {
    basis: "points_earned",
    window,
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 100 } },
    ],
  },
});
// Long past whenever this runs: a December and the January after it.
const year = new Date().getUTCFullYear() - 2;
const inDecember = (day: number) => `${year}-12-${day}T12:00:00+01:00`;
const inJanuary = (day: number) => `${year + 1}-01-${String(day).padStart(2, "0")}T12:00:00+01:00`;

/** Loads the customers' states as the batch does, counting the statements it takes. */
async function loadCounting(tenantId: string, customers: string[], timesOf: Map<string, string[]>) {
  let statements = 0;
  const states = await withTransaction(db, (tx) => {
    const counted: RawTx = {
      ...tx,
      $queryRaw: ((...args: Parameters<RawTx["$queryRaw"]>) => {
        statements++;
        return tx.$queryRaw(...args);
      }) as RawTx["$queryRaw"],
    };
    const all = [...timesOf.values()].flat().sort();
    return loadLoyaltyStates(counted, tenantId, customers, {
      config: ProgrammeConfig.parse(tiers("calendar_year")),
      timezone: "Europe/Warsaw",
      from: all[0]!,
      to: all[all.length - 1]!,
      toOf: new Map([...timesOf].map(([id, times]) => [id, times[times.length - 1]!])),
      timesOf,
    });
  });
  return { states, statements };
}

it("reads every customer's other windows in one more statement, and none when each has one window", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 30, "Windows Grill");
  // Every customer earned 300 on 10 December and 40 on 2 January.
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.flatMap((customerId, c) => [
        earnedLot({ tenantId, customerId, amount: 300, key: `w:${c}:dec`, occurredAt: new Date(inDecember(10)) }),
        earnedLot({ tenantId, customerId, amount: 40, key: `w:${c}:jan`, occurredAt: new Date(inJanuary(2)) }),
      ]),
    ),
  );
  // Each customer's sales in the batch: all on 3 January, as most batches are.
  const oneWindow = await loadCounting(tenantId, customers, new Map(customers.map((id) => [id, [inJanuary(3)]])));
  expect(oneWindow.statements).toBe(2); // the customers, their qualifying points: as before
  expect(customers.every((id) => !oneWindow.states.get(id)!.windowsByTime)).toBe(true);

  // The odd customers' batches also hold a sale of 28 December, uploaded late.
  const timesOf = new Map(customers.map((id, c) => [id, c % 2 ? [inDecember(28), inJanuary(3)] : [inJanuary(3)]]));
  const twoWindows = await loadCounting(tenantId, customers, timesOf);
  expect(twoWindows.statements).toBe(3); // one more for every customer with a December sale
  for (const [c, id] of customers.entries()) {
    const state = twoWindows.states.get(id)!;
    expect(state.qualifying).toBe(40);
    expect(state.windowsByTime?.get(Date.parse(inDecember(28)))?.qualifying).toBe(c % 2 ? 300 : undefined);
  }
});

it("rolling 12 months: three sales of one batch, in three windows, end as three batches do", async () => {
  const tenantId = await tenantWithProgramme(db, tiers("rolling_12_months"), "Rolling Windows Grill");
  const y = new Date().getUTCFullYear() - 3;
  const at = (date: string) => new Date(`${date}T12:00:00+01:00`);
  const sale = (phone: string, points: number, date: string) =>
    txMessage(
      tenantId,
      { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: at(date).toISOString() },
      new Date(at(date).getTime() + 60_000),
    );
  const apply = (...messages: ReturnType<typeof sale>[]) => applyTransactionBatch(ledgerDeps(db), messages);
  const [one, three] = ["+48600400301", "+48600400303"];
  // 450 on 1 March (silver). 1 February and 11 February next year: their windows reach back to 1 March (550: gold);
  // 1 April's does not.
  const later = (phone: string) => [
    sale(phone, 100, `${y + 1}-02-01`),
    sale(phone, 30, `${y + 1}-02-11`),
    sale(phone, 10, `${y + 1}-04-01`),
  ];
  for (const phone of [one, three]) await apply(sale(phone, 450, `${y}-03-01`));
  for (const m of later(three)) await apply(m);
  await apply(...later(one));
  const standing = async (phone: string) => {
    const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: customer.id } });
    const moves = await db.ledgerMovement.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
    return { tier: loyalty?.tier, moves: moves.map((m) => `${m.kind} ${m.amount}`).sort() };
  };
  const inThree = await standing(three);
  expect(inThree).toEqual({ tier: "gold", moves: ["bonus 100", "earn 10", "earn 100", "earn 30", "earn 450"] });
  expect(await standing(one)).toEqual(inThree);
});
