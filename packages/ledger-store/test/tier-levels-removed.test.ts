import { ProgrammeConfig, TierProgramme } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { changeProgramme, edits, programmeInForce } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { applyTierDowngrades, applyTransactionBatch, postMovements } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// A version scheduled to drop a level is checked against the holders of its save; customers who reach that level
// before it takes effect, or by a sale uploaded late and dated before it, are placed by the tier job once it is in
// force, whatever the window (lifetime here).

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
      id: `tier:${falls}:level-removed:silver:${earnedAt.toISOString()}`,
      customerId: falls,
      from: "silver",
      to: "bronze",
      direction: "down",
      qualifyingValue: 220,
    }),
    expect.objectContaining({
      id: `tier:${rises}:level-removed:silver:${earnedAt.toISOString()}`,
      from: "silver",
      to: "gold",
      direction: "up",
      qualifyingValue: 300,
    }),
  ]);
  expect(await tiers()).toEqual(["bronze", "gold", "bronze"]);
  const stored = await db.outboxEvent.count({ where: { tenantId, type: "tier.changed" } });
  expect(stored).toBe(2);

  // Run again: nobody holds a dropped level any more.
  expect(await applyTierDowngrades({ db, log, tenantId, programme, now })).toEqual({ acted: 0, outbox: [] });
  expect(await tiers()).toEqual(["bronze", "gold", "bronze"]);
});

// Silver merged into gold: gold now starts where silver did.
const merged = {
  before: lifetime(["bronze", 0], ["silver", 200], ["gold", 500]),
  after: lifetime(["bronze", 0], ["gold", 200]),
};
async function mergedSilver(name: string, effectiveFrom: Date) {
  const tenantId = await tenantWithProgramme(db, { rules: [base], tiers: merged.before }, name);
  await db.programmeVersion.create({
    data: {
      tenantId,
      version: 3,
      effectiveFrom,
      config: ProgrammeConfig.parse({ rules: [base], tiers: merged.after }),
      createdBy: "test",
    },
  });
  return tenantId;
}
const sale = (tenantId: string, phone: string, unitPrice: number, occurredAt = new Date()) =>
  applyTransactionBatch(ledgerDeps(db), [
    txMessage(tenantId, {
      customer: { phone },
      lines: [line("MEAL", unitPrice)],
      occurredAt: occurredAt.toISOString(),
    }),
  ]);
const loyaltyOf = async (tenantId: string, phone: string) => {
  const { id } = await db.customer.findFirstOrThrow({ where: { tenantId, phone } });
  return db.customerLoyalty.findUniqueOrThrow({ where: { customerId: id } });
};

it("announces a silver holder placed at gold, merged into at silver's threshold, as a move up", async () => {
  const now = new Date();
  const tenantId = await mergedSilver("Merged silver", new Date(now.getTime() - 3_600_000));
  const phone = "+48600991001";
  await sale(tenantId, phone, 22_000, new Date(now.getTime() - 2 * 3_600_000));
  expect((await loyaltyOf(tenantId, phone)).tier).toBe("silver");

  const programme = (await programmeInForce(db, tenantId, now))!;
  const run = await applyTierDowngrades({ db, log, tenantId, programme, now });
  expect(run.outbox.map((i) => i.payload)).toEqual([
    expect.objectContaining({ from: "silver", to: "gold", direction: "up", qualifyingValue: 220 }),
  ]);
  expect((await loyaltyOf(tenantId, phone)).tier).toBe("gold");
});

it("places a customer a late sale, dated before the version, put on the dropped level after the version's first run", async () => {
  const now = new Date();
  const effective = new Date(now.getTime() - 3_600_000);
  const tenantId = await mergedSilver("Late silver", effective);
  const programme = (await programmeInForce(db, tenantId, now))!;
  expect(programme.version).toBe(3);
  expect((await applyTierDowngrades({ db, log, tenantId, programme, now })).acted).toBe(0);

  // An offline till uploads a sale dated before the version: it is planned on the older one, which has silver.
  const phone = "+48600991002";
  await sale(tenantId, phone, 22_000, new Date(effective.getTime() - 600_000));
  const reached = await loyaltyOf(tenantId, phone);
  expect(reached.tier).toBe("silver");

  const later = new Date(now.getTime() + 60_000);
  const run = await applyTierDowngrades({ db, log, tenantId, programme, now: later });
  expect(run.outbox.map((i) => i.payload)).toEqual([
    expect.objectContaining({
      id: `tier:${reached.customerId}:level-removed:silver:${reached.tierSince!.toISOString()}`,
      from: "silver",
      to: "gold",
      direction: "up",
    }),
  ]);
  expect((await loyaltyOf(tenantId, phone)).tier).toBe("gold");
  expect((await applyTierDowngrades({ db, log, tenantId, programme, now: later })).acted).toBe(0);
});

it("lets the tiers be switched off after customers' sales put them on a level", async () => {
  const tenantId = await tenantWithProgramme(db, { rules: [base], tiers: merged.before }, "Tiers off");
  const phone = "+48600991003";
  await sale(tenantId, phone, 500);
  expect((await loyaltyOf(tenantId, phone)).tier).toBe("bronze");

  const off = await changeProgramme(db, {
    tenantId,
    actor: "key_test",
    action: "programme.tiers.set",
    target: null,
    edit: (c) => edits.setTiers(c, null),
  });
  expect(off.config.tiers).toBeUndefined();
});
