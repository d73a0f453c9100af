import { type Db, withTransaction } from "@regulars/db";
import { addMonthsLocal } from "@regulars/rules";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerStanding, postMovements, setTierFloor } from "../src/index.ts";
import { ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";
import { day, rolling, rollingConfig, runTierJob, sale, WARSAW, Y } from "./rolling-tier-fixtures.ts";

// Whether a floor gave the tier is recorded when the tier is set (`tier_by_floor`), not guessed from levels when the
// floor ends: a floor's tier is judged when no floor holds it up any more, whatever the floor's level by then; a tier
// reached by qualifying keeps its rolling window from `tier_since`, whatever a floor did meanwhile.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const runJob = (tenantId: string, now: Date) => runTierJob(db, tenantId, now);
const floor = (tenantId: string, customerId: string, tier: string, until: Date, now: Date) =>
  setTierFloor(db, tenantId, "key_admin", { customerId, tier, until, reason: "test" }, rolling, now);
const tierOf = async (customerId: string) => (await customerStanding(db, customerId))?.tier;
const byFloor = async (customerId: string) =>
  (
    await db.$queryRaw<{ tier_by_floor: boolean }[]>`
      SELECT tier_by_floor FROM customer_loyalty WHERE customer_id = ${customerId}`
  )[0]?.tier_by_floor;

describe("a floor's tier is judged when its floor ends, a qualified tier a window after it was reached", () => {
  it("a gold floor lowered to a one-day silver floor: gold is judged when that floor ends, not kept 12 months", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Tier By Floor Lowered");
    const [id] = customers as [string];
    const silverSince = day(Y, "03-01T12:00:00+01:00");
    await withTransaction(db, (tx) =>
      postMovements(tx, [
        earnedLot({ tenantId, customerId: id, amount: 300, key: `e:${id}`, occurredAt: silverSince }),
      ]),
    );
    await db.customerLoyalty.create({ data: { customerId: id, tenantId, tier: "silver", tierSince: silverSince } });

    // A week's courtesy gold raises the tier; the admin corrects it to silver until the next day (gold stays).
    const raised = await floor(tenantId, id, "gold", day(Y, "06-08T00:00:00+02:00"), day(Y, "06-01T12:00:00+02:00"));
    expect(raised.raised).toBe(true);
    const lowered = await floor(tenantId, id, "silver", day(Y, "06-02T00:00:00+02:00"), day(Y, "06-01T13:00:00+02:00"));
    expect.soft([lowered.raised, await tierOf(id), await byFloor(id)]).toEqual([false, "gold", true]);

    const judged = await runJob(tenantId, day(Y, "06-02T01:00:00+02:00"));
    expect(judged.outbox.map((i) => i.payload)).toEqual([
      expect.objectContaining({ customerId: id, from: "gold", to: "silver", direction: "down", qualifyingValue: 300 }),
    ]);
    expect(await customerStanding(db, id)).toMatchObject({ tier: "silver", tierFloor: null });
    expect.soft(await byFloor(id)).toBe(false);
    // Silver now keeps its own window: a week later nothing happens.
    expect((await runJob(tenantId, day(Y, "06-10T01:00:00+02:00"))).acted).toBe(0);
    expect(await tierOf(id)).toBe("silver");
  });

  it("a gold status match on gold already reached by qualifying: the floor ending does not cut gold's window short", async () => {
    const tenantId = await tenantWithProgramme(db, rollingConfig, "Tier By Floor Status Match");
    const phone = "+48600430001";
    const apply = (m: ReturnType<typeof sale>) => applyTransactionBatch(ledgerDeps(db), [m]);
    await apply(sale(tenantId, phone, 40_000, day(Y, "02-10T12:00:00+01:00"))); // 400 points: silver
    const upgrade = day(Y, "12-20T12:00:00+01:00");
    await apply(sale(tenantId, phone, 10_000, upgrade)); // 500 in the 12 months to 20 December: gold
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });

    const match = await floor(
      tenantId,
      id,
      "gold",
      day(Y + 1, "02-01T00:00:00+01:00"),
      day(Y + 1, "01-05T12:00:00+01:00"),
    );
    expect([match.raised, await byFloor(id)]).toEqual([false, false]);

    // 20 February Y+1: the floor has ended and the February points have left the window, but gold was reached on
    // 20 December: kept, as it would be without the floor. The ended floor is cleared.
    expect(await runJob(tenantId, day(Y + 1, "02-20T09:00:00+01:00"))).toEqual({ acted: 0, outbox: [] });
    expect(await customerStanding(db, id)).toMatchObject({ tier: "gold", tierSince: upgrade, tierFloor: null });

    // A window after the upgrade it is judged on the last 12 months (the upgrade's own 100 points).
    const judged = await runJob(tenantId, addMonthsLocal(upgrade, 12, WARSAW));
    expect(judged.outbox.map((i) => i.payload)).toEqual([
      expect.objectContaining({ customerId: id, from: "gold", to: "bronze", qualifyingValue: 100 }),
    ]);
  });

  it("a sale that leaves a floor's tier as it is keeps it the floor's; one that upgrades makes the tier qualified", async () => {
    const tenantId = await tenantWithProgramme(db, rollingConfig, "Tier By Floor Sales");
    const apply = (m: ReturnType<typeof sale>) => applyTransactionBatch(ledgerDeps(db), [m]);
    const [coffee, upgraded] = ["+48600430011", "+48600430012"];
    const start = day(Y, "03-01T12:00:00+01:00");
    for (const phone of [coffee, upgraded]) await apply(sale(tenantId, phone, 1_000, start)); // 10 points: bronze
    const ids = await Promise.all(
      [coffee, upgraded].map(async (phone) => (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id),
    );
    const [coffeeId, upgradedId] = ids as [string, string];
    const until = day(Y, "05-01T00:00:00+02:00");
    for (const id of ids) await floor(tenantId, id, "silver", until, day(Y, "04-01T12:00:00+02:00"));

    await apply(sale(tenantId, coffee, 500, day(Y, "04-10T12:00:00+02:00"))); // still silver: the floor's
    await apply(sale(tenantId, upgraded, 50_000, day(Y, "04-10T12:00:00+02:00"))); // 510 points: gold, qualified
    expect.soft([await tierOf(coffeeId), await byFloor(coffeeId)]).toEqual(["silver", true]);
    expect.soft([await tierOf(upgradedId), await byFloor(upgradedId)]).toEqual(["gold", false]);

    // The floor ended: the floor's silver falls to what 15 points give; gold keeps its window.
    const judged = await runJob(tenantId, day(Y, "05-02T09:00:00+02:00"));
    expect(judged.outbox.map((i) => i.payload)).toEqual([
      expect.objectContaining({ customerId: coffeeId, from: "silver", to: "bronze", qualifyingValue: 15 }),
    ]);
    expect(await tierOf(upgradedId)).toBe("gold");
  });

  it("a refund taking back an upgrade made over a floor's tier returns that tier as the floor's: judged when the floor ends", async () => {
    const tenantId = await tenantWithProgramme(db, rollingConfig, "Tier By Floor Refund");
    const apply = (m: ReturnType<typeof sale>) => applyTransactionBatch(ledgerDeps(db), [m]);
    const phone = "+48600430021";
    await apply(sale(tenantId, phone, 1_000, day(Y, "03-01T12:00:00+01:00"))); // 10 points: bronze
    const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
    const floorSet = day(Y, "04-01T12:00:00+02:00");
    expect((await floor(tenantId, id, "silver", day(Y, "05-01T00:00:00+02:00"), floorSet)).raised).toBe(true);

    const big = sale(tenantId, phone, 50_000, day(Y, "04-10T12:00:00+02:00")); // 510 points: gold, qualified
    await apply(big);
    expect([await tierOf(id), await byFloor(id)]).toEqual(["gold", false]);
    const refundAt = day(Y, "04-11T12:00:00+02:00");
    await applyTransactionBatch(ledgerDeps(db), [
      txMessage(
        tenantId,
        {
          type: "refund",
          refundOf: big.transaction.externalId,
          lines: [line("MEAL", 50_000)],
          occurredAt: refundAt.toISOString(),
        },
        new Date(refundAt.getTime() + 60_000),
      ),
    ]);
    // Back on the floor's silver, with the floor's date: it is the floor's again.
    expect.soft(await customerStanding(db, id)).toMatchObject({ tier: "silver", tierSince: floorSet });
    expect.soft(await byFloor(id)).toBe(true);

    // The floor ended: 10 points give bronze, and silver is not kept for a window from the floor's date.
    const judged = await runJob(tenantId, day(Y, "05-02T09:00:00+02:00"));
    expect(judged.outbox.map((i) => i.payload)).toEqual([
      expect.objectContaining({ customerId: id, from: "silver", to: "bronze", qualifyingValue: 10 }),
    ]);
  });
});
