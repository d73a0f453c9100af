import { ProgrammeConfig } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { silentLogger } from "@regulars/logger";
import type { ProgrammeInForce } from "@regulars/programme";
import { addDays, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyTierDowngrades,
  applyTransactionBatch,
  customerStanding,
  loadLoyaltyStates,
  postMovements,
  saveLoyaltyStates,
  setTierFloor,
} from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { tenantWithCustomers } from "./fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const WARSAW = "Europe/Warsaw";
const levels = [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 200 },
  { id: "gold", name: "Gold", threshold: 500, benefits: { earnMultiplier: 2, rewardPoints: 100 } },
];
const programmeWith = (window: string): ProgrammeInForce => ({
  version: 2,
  config: ProgrammeConfig.parse({ rules: [base], tiers: { basis: "points_earned", window, levels } }),
  timezone: WARSAW,
  localZone: WARSAW,
});
const calendarYear = programmeWith("calendar_year");

// Calendar days of past years (the clock is injected): Y is a year that has ended, whatever today is.
const Y = new Date().getUTCFullYear() - 3;
const day = (year: number, monthDayTime: string) => new Date(`${year}-${monthDayTime}`);

const earned = (tenantId: string, customerId: string, amount: number, occurredAt: Date) =>
  withTransaction(db, (tx) =>
    postMovements(tx, [
      {
        tenantId,
        customerId,
        kind: "earn",
        unit: "points",
        amount,
        idempotencyKey: `earn:${customerId}:${occurredAt.toISOString()}`,
        occurredAt,
        lot: { availableAt: occurredAt, expiresAt: null },
      },
    ]),
  );
const standing = async (customerId: string) => {
  const s = await customerStanding(db, customerId);
  return s && { tier: s.tier, floor: s.tierFloor, until: s.tierFloorUntil?.toISOString() ?? null };
};
const refusal = async (work: Promise<unknown>) => {
  try {
    await work;
  } catch (e) {
    if (e instanceof DomainError) return { code: e.code, issues: e.issues };
    throw e;
  }
  throw new Error("expected a refusal");
};
const runJob = (tenantId: string, now: Date, programme = calendarYear) =>
  applyTierDowngrades({ db, log: silentLogger, tenantId, programme, now });
/** The events a run wrote, in customer order (ids made in one millisecond need not sort by creation). */
const payloads = (r: Awaited<ReturnType<typeof runJob>>, order: string[]) =>
  r.outbox
    .map((i) => i.payload as { customerId: string })
    .sort((a, b) => order.indexOf(a.customerId) - order.indexOf(b.customerId));

describe("setTierFloor", () => {
  const now = day(Y, "06-01T12:00:00+02:00");
  const until = day(Y, "09-01T00:00:00+02:00");
  const floor = (customerId: string, tier: string, at = until) =>
    ({ customerId, tier, until: at, reason: "status match from a partner programme" }) as const;

  it("raises the tier at once to the floor: tier.changed (up) in the outbox, audited, no reward", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Floors");
    const [id] = customers as [string];
    expect(await setTierFloor(db, tenantId, "key_admin", floor(id, "gold"), calendarYear, now)).toEqual({
      tier: "gold",
      floor: { tier: "gold", until: until.toISOString() },
      raised: true,
    });
    expect(await standing(id)).toEqual({ tier: "gold", floor: "gold", until: until.toISOString() });
    expect((await customerStanding(db, id))?.tierSince).toEqual(now);

    const [audit] = await db.auditLog.findMany({ where: { tenantId } });
    expect(audit).toMatchObject({
      actor: "key_admin",
      action: "customers.setTierFloor",
      target: id,
      details: {
        tier: "gold",
        until: until.toISOString(),
        reason: "status match from a partner programme",
        previousFloor: null,
        tierBefore: null,
        tierAfter: "gold",
      },
    });
    const events = await db.outboxEvent.findMany({ where: { tenantId } });
    expect(events.map((e) => e.payload)).toEqual([
      {
        type: "tier.changed",
        id: `tier:${id}:floor:${audit!.id}`,
        tenantId,
        customerId: id,
        occurredAt: now.toISOString(),
        from: null,
        to: "gold",
        direction: "up",
        qualifyingValue: 0,
        appliedAt: expect.any(String),
        appliedIndex: 0,
      },
    ]);
    expect(await db.ledgerMovement.count({ where: { tenantId } })).toBe(0);

    // The same floor again, or a later end: audited, but nothing rises and nothing is announced.
    const later = floor(id, "gold", day(Y, "10-01T00:00:00+02:00"));
    expect(await setTierFloor(db, tenantId, "key_admin", later, calendarYear, now)).toMatchObject({ raised: false });
    expect(await standing(id)).toMatchObject({ tier: "gold", until: later.until.toISOString() });
    expect(await db.auditLog.count({ where: { tenantId } })).toBe(2);
    expect(await db.outboxEvent.count({ where: { tenantId } })).toBe(1);
  });

  it("a floor below the tier held is kept for later and lowers nothing", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Floors");
    const [id] = customers as [string];
    await db.customerLoyalty.create({ data: { customerId: id, tenantId, tier: "gold", tierSince: now } });
    expect(await setTierFloor(db, tenantId, "key_admin", floor(id, "silver"), calendarYear, now)).toMatchObject({
      tier: "gold",
      raised: false,
    });
    expect(await standing(id)).toEqual({ tier: "gold", floor: "silver", until: until.toISOString() });
    expect(await db.outboxEvent.count({ where: { tenantId } })).toBe(0);
  });

  it("refuses an unknown tier, an end not ahead of now, a programme without tiers and another tenant's customer", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Floors");
    const other = await tenantWithCustomers(db, 1, "Other Floors");
    const [id] = customers as [string];
    const set = (input: ReturnType<typeof floor>, programme = calendarYear, tenant = tenantId) =>
      refusal(setTierFloor(db, tenant, "key_admin", input, programme, now));
    expect(await set(floor(id, "platinum"))).toEqual({
      code: "unprocessable",
      issues: [{ path: "tier", message: "must be one of: bronze, silver, gold" }],
    });
    expect(await set(floor(id, "gold", now))).toEqual({
      code: "unprocessable",
      issues: [{ path: "until", message: "must lie in the future" }],
    });
    const noTiers = { ...calendarYear, config: ProgrammeConfig.parse({ rules: [base] }) };
    expect(await set(floor(id, "gold"), noTiers)).toMatchObject({ code: "unprocessable" });
    expect(await set(floor(other.customers[0]!, "gold"))).toMatchObject({ code: "not_found" });
    expect(await customerStanding(db, id)).toBeNull();
    expect(await db.auditLog.count({ where: { tenantId } })).toBe(0);
  });

  it("the ledger's state carries the floor, and writing the state back leaves it alone", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 1, "Floors");
    const [id] = customers as [string];
    await setTierFloor(db, tenantId, "key_admin", floor(id, "silver"), calendarYear, now);
    await withTransaction(db, async (tx) => {
      const states = await loadLoyaltyStates(tx, tenantId, [id], {
        config: calendarYear.config,
        timezone: WARSAW,
        from: now.toISOString(),
        to: now.toISOString(),
      });
      expect(states.get(id)).toMatchObject({ tier: "silver", tierFloor: { tier: "silver", until } });
      states.get(id)!.tierFloor = null; // never written back: only setTierFloor and the downgrade job own it
      await saveLoyaltyStates(tx, states.values());
    });
    expect(await standing(id)).toEqual({ tier: "silver", floor: "silver", until: until.toISOString() });
  });
});

describe("a sale applied under a floor", () => {
  it("earns at the floor tier's multiplier: 30 points before the gold floor, 60 after", async () => {
    const tenantId = await tenantWithProgramme(db, {
      rules: [base],
      tiers: { basis: "points_earned", window: "lifetime", levels },
    });
    const phone = "+48720000001";
    const first = txMessage(tenantId, { customer: { phone }, lines: [line("MENU", 3000)] });
    await applyTransactionBatch(ledgerDeps(db), [first]);
    const id = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
    expect(await standing(id)).toMatchObject({ tier: "bronze", floor: null });

    const now = new Date();
    const input = { customerId: id, tier: "gold", until: new Date(addDays(now.toISOString(), 30)), reason: "VIP" };
    await setTierFloor(db, tenantId, "key_admin", input, programmeWith("lifetime"), now);
    const second = txMessage(tenantId, { customer: { phone }, lines: [line("MENU", 3000)] });
    await applyTransactionBatch(ledgerDeps(db), [second]);
    const points = await db.transaction.findMany({ where: { tenantId }, orderBy: { occurredAt: "asc" } });
    expect(points.map((t) => Number(t.pointsAwarded))).toEqual([30, 60]);
    expect(await standing(id)).toMatchObject({ tier: "gold", floor: "gold" });
  });
});

describe("tier downgrades with floors (calendar year, Warsaw)", () => {
  it("the year-end pass keeps an active floor; a floor that ended is judged at the next run, and only once", async () => {
    const { tenantId, customers } = await tenantWithCustomers(db, 4, "Floor Downgrades");
    // A year is judged only by a programme that had calendar-year tiers when it began: stored since ever.
    await db.programmeVersion.create({
      data: { tenantId, version: 2, effectiveFrom: new Date(0), config: calendarYear.config, createdBy: "test" },
    });
    const [kept, plain, cushioned, longer] = customers as [string, string, string, string];
    const march = day(Y + 1, "03-01T00:00:00+01:00");
    const june = day(Y + 1, "06-01T00:00:00+02:00");
    const since = day(Y, "02-01T12:00:00+01:00");
    await db.customerLoyalty.createMany({
      data: [
        { customerId: kept, tenantId, tier: "gold", tierSince: since, tierFloor: "gold", tierFloorUntil: march },
        { customerId: plain, tenantId, tier: "gold", tierSince: since },
        { customerId: cushioned, tenantId, tier: "gold", tierSince: since, tierFloor: "silver", tierFloorUntil: march },
        { customerId: longer, tenantId, tier: "gold", tierSince: since, tierFloor: "gold", tierFloorUntil: june },
      ],
    });
    for (const id of customers) await earned(tenantId, id, 100, day(Y, "05-10T12:00:00+02:00")); // bronze in Y
    await earned(tenantId, longer, 300, day(Y + 1, "01-15T12:00:00+01:00")); // silver in Y + 1

    const newYear = await runJob(tenantId, day(Y + 1, "01-01T00:30:00+01:00"));
    expect(newYear.acted).toBe(2);
    expect(payloads(newYear, customers)).toEqual([
      expect.objectContaining({ id: `tier:${plain}:down:${Y + 1}`, from: "gold", to: "bronze", direction: "down" }),
      expect.objectContaining({ id: `tier:${cushioned}:down:${Y + 1}`, from: "gold", to: "silver", direction: "down" }),
    ]);
    expect(await standing(kept)).toEqual({ tier: "gold", floor: "gold", until: march.toISOString() });
    expect(await standing(cushioned)).toEqual({ tier: "silver", floor: "silver", until: march.toISOString() });

    // Still in force the day before it ends: nothing moves.
    expect((await runJob(tenantId, day(Y + 1, "02-28T23:59:00+01:00"))).acted).toBe(0);

    // From `until` on, normal qualification applies at the next run: 100 points in Y, none in Y + 1 is bronze.
    const ended = await runJob(tenantId, march);
    expect(payloads(ended, customers)).toEqual([
      expect.objectContaining({
        id: `tier:${kept}:floor-ended:${march.toISOString()}`,
        from: "gold",
        to: "bronze",
        qualifyingValue: 100,
      }),
      expect.objectContaining({
        id: `tier:${cushioned}:floor-ended:${march.toISOString()}`,
        from: "silver",
        to: "bronze",
      }),
    ]);
    expect(await standing(kept)).toEqual({ tier: "bronze", floor: null, until: null });
    expect(await standing(cushioned)).toEqual({ tier: "bronze", floor: null, until: null });
    expect((await runJob(tenantId, day(Y + 1, "03-01T00:05:00+01:00"))).acted).toBe(0);

    // The longer floor ends in June: the better of Y (100) and Y + 1 so far (300) is silver.
    const summer = await runJob(tenantId, day(Y + 1, "06-01T09:00:00+02:00"));
    expect(payloads(summer, customers)).toEqual([
      expect.objectContaining({ customerId: longer, from: "gold", to: "silver", qualifyingValue: 300 }),
    ]);
    expect(await standing(longer)).toEqual({ tier: "silver", floor: null, until: null });
  });

  it("lifetime tiers never fall, except when a floor above what the customer earned has ended", async () => {
    const lifetime = programmeWith("lifetime");
    const { tenantId, customers } = await tenantWithCustomers(db, 2, "Floor Lifetime");
    const [floored, earnedGold] = customers as [string, string];
    const until = day(Y, "09-01T00:00:00+02:00");
    await db.customerLoyalty.createMany({
      data: [
        { customerId: floored, tenantId, tier: "gold", tierFloor: "gold", tierFloorUntil: until },
        { customerId: earnedGold, tenantId, tier: "gold", tierFloor: "gold", tierFloorUntil: until },
      ],
    });
    await earned(tenantId, floored, 250, day(Y, "05-10T12:00:00+02:00"));
    await earned(tenantId, earnedGold, 600, day(Y, "05-10T12:00:00+02:00"));

    expect((await runJob(tenantId, day(Y, "08-31T23:00:00+02:00"), lifetime)).acted).toBe(0);
    const after = await runJob(tenantId, day(Y, "09-01T03:00:00+02:00"), lifetime);
    expect(payloads(after, customers)).toEqual([
      expect.objectContaining({ customerId: floored, from: "gold", to: "silver", qualifyingValue: 250 }),
    ]);
    expect(await standing(floored)).toEqual({ tier: "silver", floor: null, until: null });
    expect(await standing(earnedGold)).toEqual({ tier: "gold", floor: null, until: null });
  });
});
