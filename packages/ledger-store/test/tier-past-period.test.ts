import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTransactionBatch } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// Sales uploaded late across a calendar-year boundary: a December and the January after it, both long past.
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const programme = {
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "calendar_year",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 100 } },
    ],
  },
};
const year = new Date().getUTCFullYear() - 2;
const december = (day: number) => new Date(`${year}-12-${day}T12:00:00+01:00`);
const january = (day: number) => new Date(`${year + 1}-01-0${day}T12:00:00+01:00`);
/** A sale of `points` (1 point per 1.00) made at `at`, received a minute later. */
const saleAt = (tenantId: string, phone: string, points: number, at: Date) =>
  txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: at.toISOString() },
    new Date(at.getTime() + 60_000),
  );
const apply = (...messages: ReturnType<typeof txMessage>[]) => applyTransactionBatch(ledgerDeps(db), messages);
async function standing(tenantId: string, phone: string) {
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: customer.id } });
  const moves = await db.ledgerMovement.findMany({
    where: { customerId: customer.id },
    orderBy: { occurredAt: "asc" },
  });
  return { tier: loyalty?.tier, moves: moves.map((m) => `${m.kind} ${m.amount}`) };
}

it("a January refund of the December sale that reached gold keeps gold and its reward: December still holds 650", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Cross Year Grill");
  const phone = "+48600400199";
  await apply(saleAt(tenantId, phone, 450, december(10)));
  const up = saleAt(tenantId, phone, 100, december(20)); // 550: gold, +100
  await apply(up);
  await apply(saleAt(tenantId, phone, 200, december(27))); // 750 in December's year
  expect((await standing(tenantId, phone)).tier).toBe("gold");

  await apply(refundOf(tenantId, up, [line("MEAL", 10_000, { lineNo: 0 })], { occurredAt: january(2).toISOString() }));
  const after = await standing(tenantId, phone);
  expect(after.tier).toBe("gold");
  expect(after.moves).toEqual(["earn 450", "earn 100", "bonus 100", "earn 200", "reverse -100"]);
});

it("28 December (300) and 3 January (250) end silver in one batch as in two, with no gold reward", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Batch Year Grill");
  const [one, two] = ["+48600400201", "+48600400202"];
  await apply(saleAt(tenantId, two, 300, december(28)));
  await apply(saleAt(tenantId, two, 250, january(3)));
  await apply(saleAt(tenantId, one, 300, december(28)), saleAt(tenantId, one, 250, january(3)));
  const [inOne, inTwo] = [await standing(tenantId, one), await standing(tenantId, two)];
  expect(inTwo).toEqual({ tier: "silver", moves: ["earn 300", "earn 250"] });
  expect(inOne).toEqual(inTwo);
});

it("450 stored in December, then 28 December (+100) and 3 January (+10) uploaded late: gold and its reward in one batch as in two", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Late Upload Grill");
  const [one, two] = ["+48600400211", "+48600400212"];
  for (const phone of [one, two]) await apply(saleAt(tenantId, phone, 450, december(15)));
  await apply(saleAt(tenantId, two, 100, december(28)));
  await apply(saleAt(tenantId, two, 10, january(3)));
  // One batch: the December sale is judged on December's 550, not on the 10 of the January sale it arrived with.
  await apply(saleAt(tenantId, one, 100, december(28)), saleAt(tenantId, one, 10, january(3)));
  const [inOne, inTwo] = [await standing(tenantId, one), await standing(tenantId, two)];
  expect(inTwo).toEqual({ tier: "gold", moves: ["earn 450", "earn 100", "bonus 100", "earn 10"] });
  expect(inOne).toEqual(inTwo);
});
