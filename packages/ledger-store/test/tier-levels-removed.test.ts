import { TierProgramme } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { changeProgramme, edits, programmeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTierDowngrades, postMovements } from "../src/index.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// A version scheduled to drop a level is checked against the holders of its save; customers who reach that level
// before it takes effect are placed by the tier job once it is in force, whatever the window (lifetime here).

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const log = silentLogger;
const lifetime = (...levels: [string, number][]) =>
  TierProgramme.parse({
    basis: "points_earned",
    window: "lifetime",
    levels: levels.map(([id, threshold]) => ({ id, name: id.toUpperCase(), threshold })),
  });
const setTiers = (tenantId: string, tiers: TierProgramme, effectiveFrom?: Date) =>
  changeProgramme(db, {
    tenantId,
    actor: "key_test",
    action: "programme.tiers.set",
    target: null,
    edit: (c) => edits.setTiers(c, tiers),
    effectiveFrom,
  });

it("places holders of a level the version in force dropped at the level their value reaches, once", async () => {
  const { tenantId, customers } = await tenantWithCustomers(db, 3, "Dropped level");
  const [falls, rises, stays] = [...customers].sort() as [string, string, string];
  await setTiers(tenantId, lifetime(["bronze", 0], ["silver", 200], ["gold", 500]));
  // Nobody holds silver when the change is saved; gold becomes easier to reach with it.
  const takesEffect = new Date(Date.now() + 3_600_000);
  const scheduled = await setTiers(tenantId, lifetime(["bronze", 0], ["gold", 250]), takesEffect);

  // Before it takes effect two customers reach silver.
  const earnedAt = new Date();
  const values = { [falls]: 220, [rises]: 300, [stays]: 50 };
  await withTransaction(db, (tx) =>
    postMovements(
      tx,
      customers.map((customerId) =>
        earnedLot({
          tenantId,
          customerId,
          amount: values[customerId]!,
          key: `drop:${customerId}`,
          occurredAt: earnedAt,
        }),
      ),
    ),
  );
  await db.customerLoyalty.createMany({
    data: [
      { customerId: falls, tenantId, tier: "silver", tierSince: earnedAt },
      { customerId: rises, tenantId, tier: "silver", tierSince: earnedAt },
      { customerId: stays, tenantId, tier: "bronze", tierSince: earnedAt },
    ],
  });
  const tiers = async () =>
    (await db.customerLoyalty.findMany({ where: { tenantId }, orderBy: { customerId: "asc" } })).map((l) => l.tier);

  const before = (await programmeInForce(db, tenantId, earnedAt))!;
  expect(await applyTierDowngrades({ db, log, tenantId, programme: before, now: earnedAt })).toEqual({
    acted: 0,
    outbox: [],
  });

  const now = new Date(takesEffect.getTime() + 60_000);
  const programme = (await programmeInForce(db, tenantId, now))!;
  expect(programme.version).toBe(scheduled.version);
  const run = await applyTierDowngrades({ db, log, tenantId, programme, now }, 1);
  expect(run.acted).toBe(2);
  expect(run.outbox.map((i) => i.payload)).toEqual([
    expect.objectContaining({
      type: "tier.changed",
      id: `tier:${falls}:level-removed:silver:v${scheduled.version}`,
      customerId: falls,
      from: "silver",
      to: "bronze",
      direction: "down",
      qualifyingValue: 220,
    }),
    expect.objectContaining({
      id: `tier:${rises}:level-removed:silver:v${scheduled.version}`,
      from: "silver",
      to: "gold",
      direction: "up",
      qualifyingValue: 300,
    }),
  ]);
  expect(await tiers()).toEqual(["bronze", "gold", "bronze"]);
  const stored = await db.outboxEvent.count({ where: { tenantId, type: "tier.changed" } });
  expect(stored).toBe(2);

  // Run again, and again as if the first had stopped before its mark: nobody holds a dropped level any more.
  expect(await applyTierDowngrades({ db, log, tenantId, programme, now })).toEqual({ acted: 0, outbox: [] });
  await db.$executeRaw`DELETE FROM job_marks WHERE job = 'tier-downgrade' AND tenant_id = ${tenantId}`;
  expect(await applyTierDowngrades({ db, log, tenantId, programme, now })).toEqual({ acted: 0, outbox: [] });
  expect(await tiers()).toEqual(["bronze", "gold", "bronze"]);
});
