import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTierDowngrades, applyTransactionBatch } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A December sale uploaded after the new year's run lowered the tier on December's year: the tier the customer held
// through that year comes back, as the sale delivered on time would have kept it, without its reward a second time.

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
const WARSAW = "Europe/Warsaw";
// All past whenever this runs: gold reached in `firstYear`, kept through the next, whose late December sale arrives
// after the run that opened the year after (last year).
const firstYear = new Date().getUTCFullYear() - 3;
const at = (y: number, monthDay: string) => new Date(`${y}-${monthDay}T12:00:00+01:00`);
const newYearRun = (y: number) => new Date(`${y}-01-01T09:00:00+01:00`);

async function yearEndRun(tenantId: string, now: Date) {
  const config = ProgrammeConfig.parse(programme);
  const programmeAt = { version: 2, config, timezone: WARSAW, localZone: WARSAW };
  return applyTierDowngrades({ db, log: silentLogger, tenantId, programme: programmeAt, now });
}

async function standing(tenantId: string, phone: string) {
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: customer.id } });
  const moves = await db.ledgerMovement.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
  return { tier: loyalty?.tier, moves: moves.map((m) => `${m.kind} ${m.amount}`) };
}

it("a late December sale restores the tier the year-end run lowered, without paying its reward again", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Late Till Grill");
  const [onTime, late] = ["+48600500701", "+48600500702"];
  const saleAt = (phone: string, points: number, when: Date, receivedAt = new Date(when.getTime() + 60_000)) =>
    txMessage(
      tenantId,
      { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: when.toISOString() },
      receivedAt,
    );
  const apply = (m: ReturnType<typeof txMessage>) => applyTransactionBatch(ledgerDeps(db), [m]);

  for (const phone of [onTime, late]) {
    await apply(saleAt(phone, 520, at(firstYear, "03-10"))); // gold, +100
    await apply(saleAt(phone, 480, at(firstYear + 1, "03-10")));
  }
  await yearEndRun(tenantId, newYearRun(firstYear + 1)); // both kept on the first year's 520
  const december28 = at(firstYear + 1, "12-28");
  await apply(saleAt(onTime, 50, december28));
  await yearEndRun(tenantId, newYearRun(firstYear + 2)); // 530 keeps gold; 480 lowers it to silver
  expect((await standing(tenantId, late)).tier).toBe("silver");

  const result = await apply(saleAt(late, 50, december28, at(firstYear + 2, "01-05")));
  expect(result.outcomes).toEqual([{ kind: "done" }]);
  const expected = { tier: "gold", moves: ["earn 520", "bonus 100", "earn 480", "earn 50"] };
  expect(await standing(tenantId, onTime)).toEqual(expected);
  expect(await standing(tenantId, late)).toEqual(expected);
  // Restored, the tier is announced as a change up (silver to gold), not as gold reached anew with a reward.
  expect(JSON.stringify(result).match(/"from":"silver","to":"gold","direction":"up"/g)).toHaveLength(1);
});
