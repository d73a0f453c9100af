import { type LoyaltyEvent, ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTierDowngrades, customerStanding, postMovements } from "../src/index.ts";
import { base } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// A merge keeps the merged-away customer's loyalty row and movements under its old id, while the person's value
// counts at the survivor. The tier pass raised both accounts and paid the reward twice for one person.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const dayMs = 86_400_000;

it("the tier pass raises the survivor of a merge once, and never the account merged away", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 2, "Tier Upgrades Merged");
  const [survivor, merged] = customers as [string, string];
  const now = new Date();
  const since = new Date(now.getTime() - 30 * dayMs);
  await db.customerLoyalty.createMany({
    data: [
      { customerId: survivor, tenantId, tier: "silver", tierSince: since },
      { customerId: merged, tenantId, tier: "silver", tierSince: since },
    ],
  });
  // The till's customer earned 450 before being merged into the app's account.
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({
        tenantId,
        customerId: merged,
        amount: 450,
        key: `m:${merged}`,
        occurredAt: new Date(now.getTime() - 10 * dayMs),
      }),
    ]),
  );
  await db.$executeRaw`
    INSERT INTO customer_merges (merged_id, tenant_id, into_id) VALUES (${merged}, ${tenantId}, ${survivor})`;
  const programme: ProgrammeInForce = {
    version: 9,
    config: ProgrammeConfig.parse({
      rules: [base],
      tiers: {
        basis: "points_earned",
        window: "lifetime",
        levels: [
          { id: "bronze", name: "Bronze", threshold: 0 },
          { id: "silver", name: "Silver", threshold: 200, benefits: { rewardPoints: 10 } },
          { id: "gold", name: "Gold", threshold: 400, benefits: { rewardPoints: 100 } },
        ],
      },
    }),
    timezone: "Europe/Warsaw",
    localZone: "Europe/Warsaw",
  };

  const run = await applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now });

  const raised = run.outbox
    .map((i) => i.payload as LoyaltyEvent)
    .filter((e) => e.type === "tier.changed")
    .map((e) => e.customerId);
  expect(raised).toEqual([survivor]);
  const bonuses = await db.ledgerMovement.findMany({ where: { tenantId, kind: "bonus" } });
  expect(bonuses.map((b) => ({ customerId: b.customerId, amount: Number(b.amount) }))).toEqual([
    { customerId: survivor, amount: 100 },
  ]);
  expect((await customerStanding(db, survivor))?.tier).toBe("gold");
  expect((await db.customerLoyalty.findUniqueOrThrow({ where: { customerId: merged } })).tier).toBe("silver");
});
