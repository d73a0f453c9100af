import { type LoyaltyEvent, ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { tierRewardKey } from "@regulars/ledger";
import { silentLogger } from "@regulars/logger";
import { type ProgrammeInForce, programmeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTierDowngrades, applyTransactionBatch, customerStanding, postMovements } from "../src/index.ts";
import type { OutboxItem } from "../src/outbox.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// Upgrades are immediate (SPEC). A programme version that lowers a threshold puts members above their tier without a
// sale; the tier job's pass raises them once that version is in force, as a sale's upgrade would, reward and all.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const dayMs = 86_400_000;
const levels = (goldAt: number) => [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 200, benefits: { rewardPoints: 10 } },
  { id: "gold", name: "Gold", threshold: goldAt, benefits: { rewardPoints: 100 } },
];
const config = (window: string, goldAt: number) =>
  ProgrammeConfig.parse({ rules: [base], tiers: { basis: "points_earned", window, levels: levels(goldAt) } });

const tierEvents = (outbox: OutboxItem[]) =>
  outbox
    .map((i) => i.payload as LoyaltyEvent)
    .filter((e): e is Extract<LoyaltyEvent, { type: "tier.changed" }> => e.type === "tier.changed");
const tierRewards = async (tenantId: string, customerId: string, tier = "") =>
  (await db.ledgerMovement.findMany({ where: { tenantId, customerId, kind: "bonus" }, orderBy: { createdAt: "asc" } }))
    .filter((m) => m.idempotencyKey.startsWith(`tier-reward:${customerId}:${tier}`))
    .map((m) => ({ key: m.idempotencyKey, amount: Number(m.amount) }));

it("a version lowering gold raises who now qualifies at the next pass, with gold's reward once; a later sale pays nothing again", async () => {
  const tenantId = await tenantWithProgramme(db, config("lifetime", 500), "Tier Upgrades");
  const now = new Date();
  const phone = "+48730000001";
  // 450 points two days ago: silver, 50 short of gold.
  const first = txMessage(
    tenantId,
    { customer: { phone }, lines: [line("MENU", 45_000)] },
    new Date(now.getTime() - 2 * dayMs),
  );
  await applyTransactionBatch(ledgerDeps(db), [first]);
  const id = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
  expect((await customerStanding(db, id))?.tier).toBe("silver");

  // The admin lowers gold to 400, in force since yesterday.
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 3,
      effectiveFrom: new Date(now.getTime() - dayMs),
      config: config("lifetime", 400),
      createdBy: "test",
    },
  });
  const programme = (await programmeInForce(db, tenantId, now))!;
  expect(programme.version).toBe(3);
  const run = await applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now });

  expect(run.acted).toBe(1);
  expect(tierEvents(run.outbox)).toEqual([
    expect.objectContaining({
      id: `tier:${id}:programme:3:gold`,
      customerId: id,
      from: "silver",
      to: "gold",
      direction: "up",
      qualifyingValue: 450,
      occurredAt: now.toISOString(),
    }),
  ]);
  expect(await customerStanding(db, id)).toMatchObject({ tier: "gold", tierSince: now });
  expect(await tierRewards(tenantId, id, "gold")).toEqual([
    { key: tierRewardKey(id, "gold", "programme:3"), amount: 100 },
  ]);

  // The pass after it, and the customer's next sale, find gold held: no second announcement, no second reward.
  expect(await applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now })).toEqual({
    acted: 0,
    outbox: [],
  });
  const second = txMessage(tenantId, { customer: { phone }, lines: [line("MENU", 1_000)] });
  const applied = await applyTransactionBatch(ledgerDeps(db), [second]);
  expect(tierEvents(applied.outbox)).toEqual([]);
  expect((await customerStanding(db, id))?.tier).toBe("gold");
  expect(await tierRewards(tenantId, id, "gold")).toEqual([
    { key: tierRewardKey(id, "gold", "programme:3"), amount: 100 },
  ]);
});

it("judges the value of the current window, lifts a floor first, places the unplaced, and skips the erased", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 6, "Tier Upgrades Rolling");
  const [raised, stale, floored, unplaced, top, erased] = customers as [string, string, string, string, string, string];
  const now = new Date();
  const daysAgo = (n: number) => new Date(now.getTime() - n * dayMs);
  // Every tier reached a month ago: none is due for a rolling downgrade yet.
  const since = daysAgo(30);
  await db.customerLoyalty.createMany({
    data: [
      { customerId: raised, tenantId, tier: "silver", tierSince: since },
      { customerId: stale, tenantId, tier: "silver", tierSince: since },
      {
        customerId: floored,
        tenantId,
        tier: "bronze",
        tierSince: since,
        tierFloor: "silver",
        tierFloorUntil: daysAgo(-30),
      },
      { customerId: unplaced, tenantId, tier: null },
      { customerId: top, tenantId, tier: "gold", tierSince: since },
      { customerId: erased, tenantId, tier: "silver", tierSince: since },
    ],
  });
  await db.customer.update({ where: { id: erased }, data: { erasedAt: daysAgo(1) } });
  const earn = (customerId: string, amount: number, at: Date) =>
    earnedLot({ tenantId, customerId, amount, key: `up:${customerId}`, occurredAt: at });
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earn(raised, 450, daysAgo(10)),
      earn(stale, 450, daysAgo(400)), // outside the last 12 months
      earn(floored, 250, daysAgo(10)),
      earn(unplaced, 350, daysAgo(10)),
      earn(erased, 450, daysAgo(10)),
    ]),
  );
  const programme: ProgrammeInForce = {
    version: 7,
    config: config("rolling_12_months", 400),
    timezone: WARSAW,
    localZone: WARSAW,
  };

  const run = await applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now }, 2);

  expect(run.acted).toBe(2);
  expect(
    tierEvents(run.outbox)
      .map((e) => [e.customerId, e.from, e.to, e.direction])
      .sort(),
  ).toEqual(
    [
      [raised, "silver", "gold", "up"],
      [unplaced, null, "silver", "up"],
    ].sort(),
  );
  const tiers = await db.customerLoyalty.findMany({ where: { tenantId } });
  const tierOf = (id: string) => tiers.find((t) => t.customerId === id)?.tier;
  expect(customers.map(tierOf)).toEqual(["gold", "silver", "bronze", "silver", "gold", "silver"]);
  expect(await tierRewards(tenantId, raised)).toEqual([
    { key: tierRewardKey(raised, "gold", "programme:7"), amount: 100 },
  ]);
  expect(await tierRewards(tenantId, unplaced)).toEqual([
    { key: tierRewardKey(unplaced, "silver", "programme:7"), amount: 10 },
  ]);
  expect(await tierRewards(tenantId, erased)).toEqual([]);
  expect(await applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now }, 2)).toEqual({
    acted: 0,
    outbox: [],
  });
});
