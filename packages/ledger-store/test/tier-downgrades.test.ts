import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { localDate } from "@regulars/rules";
import { eventually, testDatabaseUrl, testDb } from "@regulars/testing";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadLoyaltyStates, lockCustomers, saveLoyaltyStates } from "../src/customers/loyalty-state.ts";
import { applyTierDowngrades, postMovements } from "../src/index.ts";
import { base, twoWorkerPools } from "./batch-fixtures.ts";
import { earnedLot, tenantWithCustomers } from "./fixtures.ts";

// The rolling-window pass judges every tiered member each local day. The ledger saves the loyalty rows of the
// customers it applies, so the pass must not hold them all at once: it judges slices, each committed on its own.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const rolling: ProgrammeInForce = {
  version: 2,
  config: ProgrammeConfig.parse({
    rules: [base],
    tiers: {
      basis: "points_earned",
      window: "rolling_12_months",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "gold", name: "Gold", threshold: 500 },
      ],
    },
  }),
  timezone: "Europe/Warsaw",
  localZone: "Europe/Warsaw",
};
const log = silentLogger;

/** Five gold members in id order; the second earned enough in the window to stay gold. */
async function goldMembers(now: Date) {
  const { tenantId, customers } = await tenantWithCustomers(db, 5, "Tier slices");
  const members = [...customers].sort();
  await db.customerLoyalty.createMany({
    data: members.map((customerId) => ({
      customerId,
      tenantId,
      tier: "gold",
      tierSince: new Date(now.getTime() - 400 * 86_400_000),
    })),
  });
  const earnedAt = new Date(now.getTime() - 60 * 86_400_000);
  await withTransaction(db, (tx) =>
    postMovements(tx, [
      earnedLot({ tenantId, customerId: members[1]!, amount: 600, key: `slices:${members[1]}`, occurredAt: earnedAt }),
    ]),
  );
  return { tenantId, members };
}

const tiersOf = async (members: string[]) =>
  (await db.customerLoyalty.findMany({ where: { customerId: { in: members } }, orderBy: { customerId: "asc" } })).map(
    (l) => l.tier,
  );

it("judges members in slices, each committed on its own: a member the ledger holds delays only its slice", async () => {
  const now = new Date();
  const { tenantId, members } = await goldMembers(now);
  const ledger = new pg.Client({ connectionString: testDatabaseUrl() });
  const other = new pg.Client({ connectionString: testDatabaseUrl() });
  await Promise.all([ledger.connect(), other.connect()]);
  try {
    // The ledger is mid-batch on the last member (slices of two: that member is alone in the third).
    await ledger.query("BEGIN");
    await ledger.query("SELECT 1 FROM customer_loyalty WHERE customer_id = $1 FOR UPDATE", [members[4]]);
    const run = applyTierDowngrades({ db, log, tenantId, programme: rolling, now }, 2);

    // Meanwhile the first slices are committed and their rows free for the ledger.
    const first = await eventually("the first slice committed and unlocked", async () => {
      const { rows } = await other.query<{ tier: string }>(
        "SELECT tier FROM customer_loyalty WHERE customer_id = $1 FOR UPDATE NOWAIT",
        [members[0]],
      );
      return rows[0]?.tier === "bronze" ? rows[0].tier : undefined;
    });
    expect(first).toBe("bronze");
    await ledger.query("COMMIT");

    const result = await run;
    expect(result.acted).toBe(4);
    expect(await tiersOf(members)).toEqual(["bronze", "gold", "bronze", "bronze", "bronze"]);
    const period = result.outbox.map((i) => (i.payload as { id: string }).id).sort();
    expect(period).toHaveLength(4);
    for (const id of period) expect(id).toMatch(/^tier:[^:]+:down:\d{4}-\d{2}-\d{2}$/);

    // The period is marked after the last slice: the next run the same day judges nobody again.
    const again = await applyTierDowngrades({ db, log, tenantId, programme: rolling, now }, 2);
    expect(again).toEqual({ acted: 0, outbox: [] });
  } finally {
    await ledger.end().catch(() => {});
    await other.end().catch(() => {});
  }
});

it("a pass that stopped after some slices is run again whole and changes each member once", async () => {
  const now = new Date();
  const { tenantId, members } = await goldMembers(now);
  // A previous pass committed the first slice, then stopped before the period's mark.
  await db.customerLoyalty.updateMany({ where: { customerId: { in: [members[0]!] } }, data: { tier: "bronze" } });

  const result = await applyTierDowngrades({ db, log, tenantId, programme: rolling, now }, 2);
  expect(result.acted).toBe(3);
  expect(result.outbox.map((i) => (i.payload as { customerId: string }).customerId).sort()).toEqual(
    [members[2], members[3], members[4]].sort(),
  );
  expect(await tiersOf(members)).toEqual(["bronze", "gold", "bronze", "bronze", "bronze"]);
});

it("a downgrade waits for a ledger batch that holds the customer, and that batch does not undo it", async () => {
  const now = new Date();
  const { tenantId, members } = await goldMembers(now);
  const member = members[0]!; // gold, nothing earned in the window: the pass takes them to bronze
  const workers = await twoWorkerPools();
  let ledgerRead!: () => void;
  const read = new Promise<void>((resolve) => (ledgerRead = resolve));
  let letLedgerSave!: () => void;
  const saving = new Promise<void>((resolve) => (letLedgerSave = resolve));
  let ledgerPid = 0;
  try {
    // A ledger batch on another worker, as it applies a sale that moves no tier: it locks the customer, reads the
    // loyalty state (gold), and saves the tier it read when it commits.
    const batch = withTransaction(workers.other, async (tx) => {
      ledgerPid = (await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
      await lockCustomers(tx, [member]);
      const states = await loadLoyaltyStates(tx, tenantId, [member], {
        config: rolling.config,
        timezone: rolling.timezone,
        from: now.toISOString(),
        to: now.toISOString(),
      });
      ledgerRead();
      await saving;
      await saveLoyaltyStates(tx, states.values());
    });
    await read;
    let finished = false;
    const run = applyTierDowngrades({ db: workers.db, log, tenantId, programme: rolling, now }).finally(
      () => (finished = true),
    );
    // The pass either ran to its end meanwhile, or it waits for the batch's lock: only then does the batch save.
    await eventually("the pass finished or waits for the ledger", async () => {
      if (finished) return true;
      const waiting = await db.$queryRaw<unknown[]>`
        SELECT 1 FROM pg_stat_activity WHERE ${ledgerPid}::int = ANY(pg_blocking_pids(pid))`;
      return waiting.length ? true : undefined;
    });
    letLedgerSave();
    await batch;
    const result = await run;

    expect((await tiersOf([member]))[0]).toBe("bronze");
    const event = result.outbox.find((i) => (i.payload as { customerId: string }).customerId === member);
    expect(event?.payload).toMatchObject({ type: "tier.changed", from: "gold", to: "bronze", direction: "down" });
  } finally {
    letLedgerSave();
    await workers.close();
  }
});

it("a switch to calendar-year tiers mid-year demotes nobody until the next local 1 January", async () => {
  // This local year's dates, from the real clock; the job's clock is injected.
  const Y = Number(localDate(new Date().toISOString(), "Europe/Warsaw").slice(0, 4));
  const at = (year: number, monthDayTime: string) => new Date(`${year}-${monthDayTime}`);
  const calendar: ProgrammeInForce = {
    ...rolling,
    version: 3,
    config: ProgrammeConfig.parse({ ...rolling.config, tiers: { ...rolling.config.tiers!, window: "calendar_year" } }),
  };
  const { tenantId, customers } = await tenantWithCustomers(db, 2, "Midyear switch");
  const [lapsing, requalified] = [...customers].sort() as [string, string];
  // Rolling tiers since ever; calendar-year ones from this year's local 15 June.
  await db.programmeVersion.createMany({
    data: [
      { tenantId, version: 2, effectiveFrom: new Date(0), config: rolling.config, createdBy: "test" },
      {
        tenantId,
        version: 3,
        effectiveFrom: at(Y, "06-15T09:00:00+02:00"),
        config: calendar.config,
        createdBy: "test",
      },
    ],
  });
  // Gold on the rolling window: 300 last October and 300 in March make 600 in 12 months.
  const goldSince = at(Y, "03-01T12:00:00+01:00");
  await db.customerLoyalty.createMany({
    data: customers.map((customerId) => ({ customerId, tenantId, tier: "gold", tierSince: goldSince })),
  });
  const earn = (customerId: string, amount: number, occurredAt: Date) =>
    withTransaction(db, (tx) =>
      postMovements(tx, [
        earnedLot({ tenantId, customerId, amount, key: `midyear:${customerId}:${occurredAt.getTime()}`, occurredAt }),
      ]),
    );
  for (const id of customers) {
    await earn(id, 300, at(Y - 1, "10-01T12:00:00+02:00"));
    await earn(id, 300, goldSince);
  }
  await earn(requalified, 300, at(Y, "09-01T12:00:00+02:00")); // 600 in this calendar year

  const june = await applyTierDowngrades({
    db,
    log,
    tenantId,
    programme: calendar,
    now: at(Y, "06-15T12:00:00+02:00"),
  });
  expect(june).toEqual({ acted: 0, outbox: [] });
  expect(await tiersOf([lapsing, requalified])).toEqual(["gold", "gold"]);
  const december = at(Y, "12-31T23:00:00+01:00");
  expect((await applyTierDowngrades({ db, log, tenantId, programme: calendar, now: december })).acted).toBe(0);
  expect(await tiersOf([lapsing, requalified])).toEqual(["gold", "gold"]);

  // The local new year ends the first calendar year: 300 in it is not gold.
  const newYear = await applyTierDowngrades({
    db,
    log,
    tenantId,
    programme: calendar,
    now: at(Y + 1, "01-01T00:30:00+01:00"),
  });
  expect(newYear.outbox.map((i) => i.payload)).toEqual([
    expect.objectContaining({ id: `tier:${lapsing}:down:${Y + 1}`, from: "gold", to: "bronze", direction: "down" }),
  ]);
  expect(await tiersOf([lapsing, requalified])).toEqual(["bronze", "gold"]);
});
