import { type Db, withTransaction } from "@regulars/db";
import { addMonthsLocal } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerStanding, postMovements, setTierFloor } from "../src/index.ts";
import { ledgerDeps, tenantWithProgramme } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";
import { day, rolling, rollingConfig, runTierJob, sale, WARSAW, Y } from "./rolling-tier-fixtures.ts";

// A rolling-window tier lasts at least one full window from when it was reached (`tier_since`): a customer who
// reached gold on points earned 11 months earlier is not downgraded a month later, when those points leave the
// window. Only a tier reached a window ago or earlier is judged on the last 12 months.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const DAY = 86_400_000;
const runJob = (tenantId: string, now: Date) => runTierJob(db, tenantId, now);
const standing = async (customerId: string) => {
  const s = await customerStanding(db, customerId);
  return s && { tier: s.tier, floor: s.tierFloor };
};

describe("rolling 12-month tiers are kept for a full window from when they were reached", () => {
  it("gold reached on points of 11 months ago lasts 12 months, then is judged on the last 12 months", async () => {
    const tenantId = await tenantWithProgramme(db, rollingConfig, "Tier Since Grill");
    const phone = "+48600410001";
    const apply = (m: ReturnType<typeof sale>) => applyTransactionBatch(ledgerDeps(db), [m]);
    await apply(sale(tenantId, phone, 40_000, day(Y, "02-10T12:00:00+01:00"))); // 400 points: silver
    const upgrade = day(Y, "12-20T12:00:00+01:00");
    await apply(sale(tenantId, phone, 10_000, upgrade)); // 500 in the 12 months to 20 December: gold
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    expect((await customerStanding(db, id))?.tierSince).toEqual(upgrade);

    // 20 February Y+1: the February points have left the window (100 remain), but gold was reached two months ago.
    expect(await runJob(tenantId, day(Y + 1, "02-20T09:00:00+01:00"))).toEqual({ acted: 0, outbox: [] });
    expect(await standing(id)).toEqual({ tier: "gold", floor: null });
    // The day before its first window ends: still gold.
    expect((await runJob(tenantId, day(Y + 1, "12-19T09:00:00+01:00"))).acted).toBe(0);
    expect(await standing(id)).toEqual({ tier: "gold", floor: null });

    // 20 December Y+1 (12 local months after the upgrade): judged on the last 12 months, which hold only the
    // upgrade's own 100 points (the window starts at that instant).
    const judged = await runJob(tenantId, addMonthsLocal(upgrade, 12, WARSAW));
    expect(judged.outbox.map((i) => i.payload)).toEqual([
      expect.objectContaining({ customerId: id, from: "gold", to: "bronze", direction: "down", qualifyingValue: 100 }),
    ]);
    expect(await standing(id)).toEqual({ tier: "bronze", floor: null });
  });

  it("a tier held longer than a window is judged every day; a tier without a since is judged", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Tier Since Old");
    const [old, unknown] = customers as [string, string];
    const now = day(Y + 1, "03-01T09:00:00+01:00");
    await db.customerLoyalty.createMany({
      data: [
        { customerId: old, tenantId, tier: "gold", tierSince: new Date(now.getTime() - 400 * DAY) },
        { customerId: unknown, tenantId, tier: "gold", tierSince: null },
      ],
    });
    const result = await runJob(tenantId, now);
    expect(result.acted).toBe(2);
    expect(await standing(old)).toEqual({ tier: "bronze", floor: null });
    expect(await standing(unknown)).toEqual({ tier: "bronze", floor: null });
  });

  it("a downgrade starts the lower tier's own window: silver is kept a year, then judged again", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Tier Since Down");
    const [id] = customers as [string];
    const judgedAt = day(Y + 1, "03-01T09:00:00+01:00");
    await db.customerLoyalty.create({
      data: { customerId: id, tenantId, tier: "gold", tierSince: day(Y - 1, "01-10T12:00:00+01:00") },
    });
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        earnedLot({
          tenantId,
          customerId: id,
          amount: 250,
          key: `down:${id}`,
          occurredAt: day(Y, "03-10T12:00:00+01:00"),
        }),
      ]),
    );
    expect((await runJob(tenantId, judgedAt)).acted).toBe(1); // 250 in the last 12 months: silver
    expect(await standing(id)).toEqual({ tier: "silver", floor: null });
    // 10 March Y+1 the 250 leave the window; silver, held since 1 March, is not judged until 1 March Y+2.
    expect((await runJob(tenantId, day(Y + 1, "06-01T09:00:00+02:00"))).acted).toBe(0);
    expect(await standing(id)).toEqual({ tier: "silver", floor: null });
    expect((await runJob(tenantId, day(Y + 2, "03-01T09:00:00+01:00"))).acted).toBe(1);
    expect(await standing(id)).toEqual({ tier: "bronze", floor: null });
  });

  it("a floor that ended: a tier the floor gave falls, a tier earned above the floor keeps its window", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Tier Since Floors");
    const [floored, earnedAbove] = customers as [string, string];
    const since = day(Y, "12-01T12:00:00+01:00");
    const until = day(Y + 1, "02-01T00:00:00+01:00");
    // Raised to gold by a floor set on 1 December: nothing earned it (recorded as the floor's tier).
    await setTierFloor(
      db,
      tenantId,
      "key_admin",
      { customerId: floored, tier: "gold", until, reason: "t" },
      rolling,
      since,
    );
    await db.customerLoyalty.createMany({
      data: [
        // Reached gold by a sale on 1 December (on points of February), above a silver floor.
        {
          customerId: earnedAbove,
          tenantId,
          tier: "gold",
          tierSince: since,
          tierFloor: "silver",
          tierFloorUntil: until,
        },
      ],
    });
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        earnedLot({ tenantId, customerId: floored, amount: 100, key: `fl:${floored}`, occurredAt: since }),
        earnedLot({
          tenantId,
          customerId: earnedAbove,
          amount: 450,
          key: `fl:${earnedAbove}:old`,
          occurredAt: day(Y, "02-01T12:00:00+01:00"),
        }),
        earnedLot({ tenantId, customerId: earnedAbove, amount: 50, key: `fl:${earnedAbove}`, occurredAt: since }),
      ]),
    );

    const ended = await runJob(tenantId, day(Y + 1, "02-15T09:00:00+01:00"));
    expect(ended.outbox.map((i) => i.payload)).toEqual([
      expect.objectContaining({ customerId: floored, from: "gold", to: "bronze", qualifyingValue: 100 }),
    ]);
    expect(await standing(floored)).toEqual({ tier: "bronze", floor: null });
    // Gold was earned on 1 December: it lasts until 1 December Y+1; the floor that ended is cleared.
    expect(await standing(earnedAbove)).toEqual({ tier: "gold", floor: null });
  });
});
