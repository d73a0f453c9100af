import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTierDowngrades, applyTransactionBatch } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

// A refund of a sale two calendar years back is judged on the year between as well: the year-end run kept the tier on
// that year's points, which the refund does not touch. Judged on the sale's year and the new one alone, it demoted
// mid-year a customer who had earned the tier again since, and took back the reward of the old upgrade.

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
// Three years all past whenever this runs: the sale's, the one between, and the refund's (last year).
const saleYear = new Date().getUTCFullYear() - 3;
const at = (y: number, monthDay: string) => new Date(`${y}-${monthDay}T12:00:00+01:00`);
const newYearRun = (y: number) => new Date(`${y}-01-01T09:00:00+01:00`);

async function yearEndRun(tenantId: string, now: Date) {
  const config = ProgrammeConfig.parse(programme);
  await applyTierDowngrades({
    db,
    log: silentLogger,
    tenantId,
    programme: { version: 2, config, timezone: WARSAW, localZone: WARSAW },
    now,
  });
}

async function standing(tenantId: string, phone: string) {
  const customer = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  const loyalty = await db.customerLoyalty.findUnique({ where: { customerId: customer.id } });
  const moves = await db.ledgerMovement.findMany({ where: { customerId: customer.id }, orderBy: { id: "asc" } });
  return { tier: loyalty?.tier, moves: moves.map((m) => `${m.kind} ${m.amount}`) };
}

it("a refund of a sale two years back keeps the tier (and its reward) the year between earned again", async () => {
  const tenantId = await tenantWithProgramme(db, programme, "Years Between Grill");
  const phone = "+48600500601";
  const saleAt = (points: number, when: Date) =>
    txMessage(
      tenantId,
      { customer: { phone }, lines: [line("MEAL", points * 100)], occurredAt: when.toISOString() },
      new Date(when.getTime() + 60_000),
    );
  const apply = (m: ReturnType<typeof txMessage>) => applyTransactionBatch(ledgerDeps(db), [m]);

  const old = saleAt(550, at(saleYear, "11-20"));
  await apply(old); // gold, +100
  await yearEndRun(tenantId, newYearRun(saleYear + 1)); // kept on the sale's year
  await apply(saleAt(600, at(saleYear + 1, "06-10")));
  await yearEndRun(tenantId, newYearRun(saleYear + 2)); // kept on the year between's 600
  expect((await standing(tenantId, phone)).tier).toBe("gold");

  const result = await applyTransactionBatch(ledgerDeps(db), [
    refundOf(tenantId, old, [line("MEAL", 55_000, { lineNo: 0 })], {
      occurredAt: at(saleYear + 2, "02-10").toISOString(),
    }),
  ]);
  expect(result.outcomes).toEqual([{ kind: "done" }]);
  expect(await standing(tenantId, phone)).toEqual({
    tier: "gold",
    moves: ["earn 550", "bonus 100", "earn 600", "reverse -550"],
  });
  expect(JSON.stringify(result)).not.toContain('"tier.changed"');
});
