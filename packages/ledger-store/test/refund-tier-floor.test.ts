import { ProgrammeConfig } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { ProgrammeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  applyTransactionBatch,
  customerBalances,
  customerStanding,
  outboxEventsOf,
  setTierFloor,
} from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const config = {
  rules: [base],
  tiers: {
    basis: "points_earned",
    window: "lifetime",
    levels: [
      { id: "bronze", name: "Bronze", threshold: 0 },
      { id: "silver", name: "Silver", threshold: 200 },
      { id: "gold", name: "Gold", threshold: 500, benefits: { rewardPoints: 100 } },
    ],
  },
};
const programme: ProgrammeInForce = {
  version: 2,
  config: ProgrammeConfig.parse(config),
  timezone: "Europe/Warsaw",
  localZone: "Europe/Warsaw",
};
const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000);
const apply = (...messages: Parameters<typeof applyTransactionBatch>[1]) =>
  applyTransactionBatch(ledgerDeps(db), messages);

it("a refund of the upgrading sale leaves the tier an admin's floor still holds, and takes back its reward", async () => {
  const tenantId = await tenantWithProgramme(db, config, "Floor Refund Burgers");
  const customer = { phone: "+48710045001" };
  await apply(txMessage(tenantId, { customer, lines: [line("MEAL", 30_000)], occurredAt: hoursAgo(72).toISOString() }));
  const upgrading = txMessage(tenantId, {
    customer,
    lines: [line("MEAL", 25_000)],
    occurredAt: hoursAgo(48).toISOString(),
  });
  await apply(upgrading); // 300 + 250 points earned: gold, and its reward of 100
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone: customer.phone } });
  expect((await customerStanding(db, id))?.tier).toBe("gold");
  const until = new Date(Date.now() + 30 * 86_400_000);
  const floor = { customerId: id, tier: "gold", until, reason: "status match" };
  await setTierFloor(db, tenantId, "key_admin", floor, programme, hoursAgo(24));

  await apply(refundOf(tenantId, upgrading, [line("MEAL", 25_000)], { occurredAt: hoursAgo(1).toISOString() }));

  expect(await customerStanding(db, id)).toMatchObject({ tier: "gold", tierFloor: "gold", tierFloorUntil: until });
  const [loyalty] = await db.$queryRaw<{ tier_by_floor: boolean }[]>`
    SELECT tier_by_floor FROM customer_loyalty WHERE customer_id = ${id}`;
  expect(loyalty?.tier_by_floor).toBe(true); // held by the floor alone: judged when it ends
  const changes = (await outboxEventsOf(db, tenantId, "tier.changed")).map((e) => e.payload);
  expect(changes).toEqual([
    expect.objectContaining({ from: null, to: "silver", direction: "up" }),
    expect.objectContaining({ from: "silver", to: "gold", direction: "up" }),
  ]);
  // The refund took back the 250 points and the upgrade's 100: the floor keeps the tier, not the reward.
  expect((await customerBalances(db, tenantId, id)).points).toBe(300);
});
