import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { startOfLocalDay } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw"; // testTenant's zone, in which the cap's days are counted
/** `hour` o'clock in Warsaw, `daysBack` local days ago (walked day by day: a local day need not last 24 hours). */
function localHour(daysBack: number, hour: number): string {
  let start = startOfLocalDay(new Date().toISOString(), WARSAW);
  for (let d = 0; d < daysBack; d++)
    start = startOfLocalDay(new Date(start.getTime() - 12 * 3_600_000).toISOString(), WARSAW);
  return new Date(start.getTime() + hour * 3_600_000).toISOString();
}

const meal = [line("MEAL", 10_000)]; // 100 points at 1 per 1.00: the whole day's cap
const pointsOf = async (tenantId: string, m: TransactionMessage) =>
  Number(
    (await db.transaction.findFirstOrThrow({ where: { tenantId, externalId: m.transaction.externalId } }))
      .pointsAwarded,
  );
/** In one batch, or each message in a batch of its own: the day totals are the same either way. */
const batchings = [
  ["in one batch", (ms: TransactionMessage[]) => applyTransactionBatch(ledgerDeps(db), ms).then(() => undefined)],
  [
    "in batches of their own",
    async (ms: TransactionMessage[]) => {
      for (const m of ms) await applyTransactionBatch(ledgerDeps(db), [m]);
    },
  ],
] as const;

describe("a refund gives back the room its sale used under the per-day cap", () => {
  it.each(batchings)("a sale refunded in full leaves the day's cap to a new sale that day, %s", async (_, apply) => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], caps: { perDay: 100 } }, "Cap Refund Burgers");
    const customer = { phone: "+48710044001" };
    const first = txMessage(tenantId, { customer, occurredAt: localHour(1, 10), lines: meal });
    const refund = refundOf(tenantId, first, meal, { occurredAt: localHour(1, 11) });
    const second = txMessage(tenantId, { customer, occurredAt: localHour(1, 12), lines: meal });
    await apply([first, refund, second]);
    expect([
      await pointsOf(tenantId, first),
      await pointsOf(tenantId, refund),
      await pointsOf(tenantId, second),
    ]).toEqual([100, -100, 100]);
  });

  it.each(batchings)("a refund of the day before's sale frees nothing of the refund's day, %s", async (_, apply) => {
    const tenantId = await tenantWithProgramme(db, { rules: [base], caps: { perDay: 100 } }, "Cap Refund Cafe");
    const customer = { phone: "+48710044002" };
    const before = txMessage(tenantId, { customer, occurredAt: localHour(2, 10), lines: meal });
    const today = txMessage(tenantId, { customer, occurredAt: localHour(1, 10), lines: meal });
    const refund = refundOf(tenantId, before, meal, { occurredAt: localHour(1, 11) });
    const later = txMessage(tenantId, { customer, occurredAt: localHour(1, 12), lines: meal });
    await apply([before, today, refund, later]);
    expect(await pointsOf(tenantId, refund)).toBe(-100);
    expect(await pointsOf(tenantId, later)).toBe(0);
  });
});
