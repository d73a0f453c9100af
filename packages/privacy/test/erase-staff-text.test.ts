import { ProgrammeConfig, RegisterCustomerRequest } from "@regulars/contracts";
import { registerCustomer } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { adjustBalance, awardBonusPoints, customerBalances, ledgerTotals, setTierFloor } from "@regulars/ledger-store";
import type { ProgrammeInForce } from "@regulars/programme";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer, erasedText, exportPostgres, finishErasures, postgresTextHits } from "../src/index.ts";
import { privacyTenant } from "./fixtures.ts";

// Staff type reasons about a customer into rows erasure keeps for the accounting (an adjustment's ledger movement,
// the audit log): erasure replaces that text, and leaves every figure and machine-written reason as it was.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const programme: ProgrammeInForce = {
  version: 2,
  config: ProgrammeConfig.parse({
    rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
    tiers: {
      basis: "points_earned",
      window: "calendar_year",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "gold", name: "Gold", threshold: 500 },
      ],
    },
  }),
  timezone: "Europe/Warsaw",
  localZone: "Europe/Warsaw",
};

const tag = () => Math.random().toString(36).slice(2, 10);

async function customerWithStaffNotes() {
  const { tenantId } = await privacyTenant(db, "Staff Notes Burgers");
  const now = new Date();
  const { customer } = await registerCustomer(
    db,
    tenantId,
    RegisterCustomerRequest.parse({ externalIdentity: { provider: "app", subject: `notes-${tag()}` }, name: "Ada" }),
    { actor: "key_app", source: "app", now },
  );
  const customerId = customer.id;
  const notes = {
    adjust: `Ada Lovelace ${tag()} complained, wheelchair user, table 4`,
    floor: `Ada ${tag()} is the owner's sister-in-law`,
  };
  const campaignReason = `Spring welcome bonus ${tag()}`;
  await adjustBalance(
    db,
    tenantId,
    "staff_manager",
    { customerId, unit: "points", amount: 40, reason: notes.adjust },
    programme,
    now,
  );
  await awardBonusPoints(
    db,
    tenantId,
    "campaign:cmp_spring",
    { customerId, points: 15, reason: campaignReason, idempotencyKey: `step-${tag()}` },
    programme,
    now,
  );
  await setTierFloor(
    db,
    tenantId,
    "staff_manager",
    { customerId, tier: "gold", reason: notes.floor, until: new Date(now.getTime() + 30 * 86_400_000) },
    programme,
    now,
  );
  return { tenantId, customerId, notes, campaignReason };
}

const movementsOf = (customerId: string) =>
  db.ledgerMovement.findMany({
    where: { customerId },
    orderBy: { id: "asc" },
    select: { id: true, kind: true, unit: true, amount: true, actor: true, idempotencyKey: true, reason: true },
  });

describe("erasure of text staff typed about the customer", () => {
  it("replaces the adjustment's and the tier floor's reasons, keeping movements, balances and ledger totals", async () => {
    const { tenantId, customerId, notes, campaignReason } = await customerWithStaffNotes();
    const exported = JSON.stringify(await exportPostgres(db, tenantId, [customerId]));
    expect(exported).toContain(notes.adjust); // the export before erasure still holds what staff wrote
    expect(exported).toContain(notes.floor);
    expect((await postgresTextHits(db, Object.values(notes))).sort()).toEqual([
      "audit_log.details",
      "ledger_movements.reason",
    ]);
    const before = {
      ledger: await ledgerTotals(db, tenantId),
      balances: await customerBalances(db, tenantId, customerId),
      movements: await movementsOf(customerId),
    };

    await eraseCustomer({ db }, tenantId, customerId, { actor: "key_admin", cause: "request", now: new Date() });

    expect(await postgresTextHits(db, Object.values(notes))).toEqual([]);
    expect(await ledgerTotals(db, tenantId)).toEqual(before.ledger);
    expect(await customerBalances(db, tenantId, customerId)).toEqual(before.balances);
    // The same movements, figures and actors; only the adjustment's reason changed, the campaign's stays.
    expect(await movementsOf(customerId)).toEqual(
      before.movements.map((m) => (m.kind === "adjust" ? { ...m, reason: erasedText } : m)),
    );
    expect((await movementsOf(customerId)).find((m) => m.kind === "bonus")?.reason).toBe(campaignReason);
    const audits = await db.auditLog.findMany({
      where: { tenantId, target: customerId, action: { in: ["customers.adjust", "customers.setTierFloor"] } },
    });
    expect(audits).toHaveLength(2);
    for (const a of audits) expect(a.details).toMatchObject({ reason: erasedText });
    expect(audits.find((a) => a.action === "customers.adjust")?.details).toMatchObject({ unit: "points", amount: 40 });
  });

  it("never stores a reason an admin typed after the erasure; the sweep of recent erasures leaves the ledger be", async () => {
    const { tenantId, customerId } = await customerWithStaffNotes();
    await eraseCustomer({ db, analytics }, tenantId, customerId, {
      actor: "key_admin",
      cause: "request",
      now: new Date(),
    });
    const late = `Ada ${tag()} phoned again from a stale admin screen`;
    await adjustBalance(
      db,
      tenantId,
      "staff_manager",
      { customerId, unit: "points", amount: -5, reason: late },
      programme,
    );
    expect(await postgresTextHits(db, [late])).toEqual([]);
    expect((await movementsOf(customerId)).filter((m) => m.kind === "adjust").map((m) => [m.amount, m.reason])).toEqual(
      [
        [40n, erasedText],
        [-5n, erasedText],
      ],
    );
    const totals = await ledgerTotals(db, tenantId);

    const log = { warn() {} } as never;
    await finishErasures({ db, log, tenantId, now: new Date(), analytics });
    expect(await postgresTextHits(db, [late])).toEqual([]);
    expect(await ledgerTotals(db, tenantId)).toEqual(totals);
  });

  it("stores a reason typed about an erased customer as erased, also once the sweep has stopped looking", async () => {
    const { tenantId, customerId } = await customerWithStaffNotes();
    const now = new Date();
    await eraseCustomer({ db, analytics }, tenantId, customerId, { actor: "key_admin", cause: "request", now });
    // Past the 8 days the sweep of recent erasures looks back.
    const later = new Date(now.getTime() + 9 * 86_400_000);
    const late = [`Ada Lovelace ${tag()} called, lives at 12 Elm St`, `Ada ${tag()} is back, keep her gold`];
    const balance = (await customerBalances(db, tenantId, customerId)).points;
    const adjusted = await adjustBalance(
      db,
      tenantId,
      "staff_manager",
      { customerId, unit: "points", amount: 5, reason: late[0]! },
      programme,
      later,
    );
    const floor = await setTierFloor(
      db,
      tenantId,
      "staff_manager",
      { customerId, tier: "gold", reason: late[1]!, until: new Date(later.getTime() + 30 * 86_400_000) },
      programme,
      later,
    );

    expect(await postgresTextHits(db, late)).toEqual([]);
    // The adjustment and the floor apply as for anyone; only the text is not kept.
    expect(adjusted.applied).toBe(true);
    expect((await customerBalances(db, tenantId, customerId)).points).toBe(balance + 5);
    expect(floor.floor.tier).toBe("gold");
    const movement = await db.ledgerMovement.findUniqueOrThrow({ where: { id: adjusted.movementId! } });
    expect(movement).toMatchObject({ kind: "adjust", amount: 5n, reason: erasedText });
    // Newest first (ids sort by time): the rows of the actions above.
    const audits = await db.auditLog.findMany({ where: { tenantId, target: customerId }, orderBy: { id: "desc" } });
    expect(audits.find((a) => a.action === "customers.adjust")?.details).toMatchObject({
      amount: 5,
      reason: erasedText,
    });
    expect(audits.find((a) => a.action === "customers.setTierFloor")?.details).toMatchObject({
      tier: "gold",
      reason: erasedText,
    });
  });
});
