import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, type RawTx, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { tierWindowStart } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadLoyaltyStates } from "../src/customers/loyalty-state.ts";
import { applyTierDowngrades, applyTransactionBatch, postMovements } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// A tier window is the customer's own: an offline sale made last year and uploaded in the new one is judged in the
// year it was made, whoever else's sales share its batch. A rolling window ends at each customer's own latest sale.
// A refund counts in the window of the sale it refunds, not in the one it is made in.

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

// Fixed dates in the past (the programme has been in force since the epoch); the tills post them as they happen.
const at = (iso: string) => ({
  occurredAt: new Date(iso).toISOString(),
  receivedAt: new Date(Date.parse(iso) + 60_000),
});
const saleAt = (tenantId: string, phone: string, total: number, iso: string) =>
  txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", total)], occurredAt: at(iso).occurredAt },
    at(iso).receivedAt,
  );

it.each([
  { basis: "points_earned", silver: 200, gold: 500 },
  { basis: "spend", silver: 20_000, gold: 50_000 },
])("a refund in the new year of a sale of the old one takes nothing from the new year ($basis)", async (tiers) => {
  const levels = [
    { id: "bronze", name: "Bronze", threshold: 0 },
    { id: "silver", name: "Silver", threshold: tiers.silver },
    { id: "gold", name: "Gold", threshold: tiers.gold },
  ];
  const tenantId = await tenantWithProgramme(
    db,
    { ...programme, tiers: { ...programme.tiers, basis: tiers.basis, levels } },
    "Refund Year Grill",
  );
  const phone = "+48600400011";
  const apply = (m: ReturnType<typeof txMessage>) => applyTransactionBatch(ledgerDeps(db), [m]);
  const sale = saleAt(tenantId, phone, 30_000, "2023-12-28T12:00:00+01:00"); // 300 points, 300.00 spent
  await apply(sale);
  const refundDay = at("2024-01-02T12:00:00+01:00");
  await apply(refundOf(tenantId, sale, [line("MEAL", 30_000, { lineNo: 0 })], { occurredAt: refundDay.occurredAt }));
  await apply(saleAt(tenantId, phone, 50_000, "2024-01-03T12:00:00+01:00"));
  // 2024 holds the 500 of 3 January alone: the refund took its 300 back from 2023.
  expect(await tierOf(tenantId, phone)).toBe("gold");
});

it("a refund of last year's sale in one batch with a new-year sale takes nothing from the new year", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Same Batch Grill");
  const phone = "+48600400014";
  const sale = saleAt(tenantId, phone, 30_000, "2023-12-28T12:00:00+01:00");
  await applyTransactionBatch(ledgerDeps(db), [sale]);
  await applyTransactionBatch(ledgerDeps(db), [
    refundOf(tenantId, sale, [line("MEAL", 30_000, { lineNo: 0 })], {
      occurredAt: at("2024-01-02T12:00:00+01:00").occurredAt,
    }),
    saleAt(tenantId, phone, 50_000, "2024-01-03T12:00:00+01:00"),
  ]);
  // The batch counts 2024 (500 points); the refund's 300 were earned in 2023.
  expect(await tierOf(tenantId, phone)).toBe("gold");
});

it("the rolling downgrade judges a refund with its sale: one that left the window takes nothing from it", async () => {
  const rolling = { ...programme, tiers: { ...programme.tiers, window: "rolling_12_months" } };
  const tenantId = await tenantWithProgramme(db, rolling, "Rolling Refund Grill");
  const now = new Date("2024-06-15T10:00:00Z");
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const phone = "+48600400012";
  const apply = (m: ReturnType<typeof txMessage>) => applyTransactionBatch(ledgerDeps(db), [m]);
  const sale = saleAt(tenantId, phone, 30_000, daysAgo(380));
  await apply(sale);
  await apply(refundOf(tenantId, sale, [line("MEAL", 30_000, { lineNo: 0 })], { occurredAt: daysAgo(340) }));
  await apply(saleAt(tenantId, phone, 50_000, daysAgo(200)));
  expect(await tierOf(tenantId, phone)).toBe("gold");

  const job = await applyTierDowngrades({
    db,
    log: silentLogger,
    tenantId,
    programme: {
      version: 2,
      config: ProgrammeConfig.parse(rolling),
      timezone: "Europe/Warsaw",
      localZone: "Europe/Warsaw",
    },
    now,
  });
  // The last 12 months hold the 500 of 200 days ago; the sale refunded 340 days ago was made before them.
  expect(job).toEqual({ acted: 0, outbox: [] });
  expect(await tierOf(tenantId, phone)).toBe("gold");
});

it("an offline sale of last year uploaded in the new one is judged on last year's points alone", async () => {
  const withReward = {
    ...programme,
    tiers: {
      ...programme.tiers,
      levels: programme.tiers.levels.map((l) => (l.id === "gold" ? { ...l, benefits: { rewardPoints: 100 } } : l)),
    },
  };
  const tenantId = await tenantWithProgramme(db, withReward, "Offline Year Grill");
  const phone = "+48600400013";
  const apply = (m: ReturnType<typeof txMessage>) => applyTransactionBatch(ledgerDeps(db), [m]);
  await apply(saleAt(tenantId, phone, 40_000, "2023-12-01T12:00:00+01:00")); // 400 in 2023: silver
  await apply(saleAt(tenantId, phone, 30_000, "2024-01-02T12:00:00+01:00")); // 300 in 2024: silver
  expect(await tierOf(tenantId, phone)).toBe("silver");
  // Made on 20 December, uploaded on 3 January: 2023 holds 450, short of gold; 2024's 300 are no part of it.
  const offline = txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", 5_000)], occurredAt: at("2023-12-20T12:00:00+01:00").occurredAt },
    new Date("2024-01-03T09:00:00+01:00"),
  );
  await apply(offline);
  expect(await tierOf(tenantId, phone)).toBe("silver");
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const bonuses = await db.ledgerMovement.count({ where: { customerId: customer.id, kind: "bonus" } });
  expect(bonuses).toBe(0);
});
