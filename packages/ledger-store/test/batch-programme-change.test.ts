import { ProgrammeConfig, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, customerBalances, expandOutbox } from "../src/index.ts";
import { base, ledgerDeps, line, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db?.$disconnect());

const MIN = 60_000;
const card = { id: "coffee", name: "Coffee", stampsRequired: 3, rewardPoints: 50 };
const levels = [
  { id: "bronze", name: "Bronze", threshold: 0 },
  { id: "silver", name: "Silver", threshold: 400, benefits: { rewardPoints: 30 } },
];

/**
 * A tenant on `old` (version 2, since the epoch) that changed to `next` (version 3) at noon yesterday. Customer X
 * makes two sales before the change, each in a batch of its own, then a third, still before the change: alone, or
 * in one batch with another customer's sale made after it. SPEC: a sale is judged by the programme in force at its
 * `occurredAt`; docs/architecture.md: a batch ends as any split of it would. So X ends the same either way.
 */
async function scenario(old: Record<string, unknown>, next: Record<string, unknown>, batched: boolean) {
  const tenantId = await tenantWithProgramme(db, old, batched ? "Changed Batched" : "Changed Alone");
  const now = new Date();
  // Noon (UTC) yesterday: every sale below falls on one local day, whatever the time of day the test runs at (ten
  // minutes before now, the first sales crossed the tenant's midnight when run just after it, and the cap reset).
  const changedAt = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 12 * 60 * MIN);
  await db.programmeVersion.create({
    data: { tenantId, version: 3, effectiveFrom: changedAt, config: ProgrammeConfig.parse(next), createdBy: "test" },
  });
  const at = (min: number) => new Date(changedAt.getTime() + min * MIN).toISOString();
  const x = { phone: "+48710019001" };
  const sale = (customer: object, occurredAt: string) =>
    txMessage(tenantId, { customer, occurredAt, lines: [line("MEAL", 15_000)] }, now);
  const deps = ledgerDeps(db);
  await applyTransactionBatch(deps, [sale(x, at(-50))]);
  await applyTransactionBatch(deps, [sale(x, at(-40))]);
  const third = sale(x, at(-30));
  const batch: TransactionMessage[] = batched ? [third, sale({ phone: "+48710019002" }, at(5))] : [third];
  const applied = await applyTransactionBatch(deps, batch);

  const stored = await db.transaction.findFirstOrThrow({
    where: { tenantId, externalId: third.transaction.externalId },
  });
  const customerId = stored.customerId!;
  const events = expandOutbox(applied.outbox)
    .map((e) => e.payload as Record<string, unknown>)
    .filter((e) => e.customerId === customerId && e.type !== "transaction.processed")
    // Ids and times name the tenant and message, which differ between the two runs, as do the stamps of when and
    // where in its write the ledger applied a tier change.
    .map(
      ({
        id: _id,
        tenantId: _t,
        customerId: _c,
        transactionId: _tx,
        occurredAt: _o,
        appliedAt: _a,
        appliedIndex: _i,
        ...rest
      }) => rest,
    );
  const loyalty = await db.customerLoyalty.findUnique({ where: { customerId } });
  const stamps = await db.stampCardProgress.findMany({ where: { tenantId, customerId } });
  return {
    version: stored.programmeVersion,
    points: Number(stored.pointsAwarded),
    balance: (await customerBalances(db, tenantId, customerId)).points,
    stamps: stamps.map((s) => ({ card: s.cardId, stamps: s.stamps, completed: s.completed })),
    tier: loyalty?.tier ?? null,
    events,
  };
}

async function aloneAndBatched(old: Record<string, unknown>, next: Record<string, unknown>) {
  const alone = await scenario(old, next, false);
  const batched = await scenario(old, next, true);
  expect(batched).toEqual(alone);
  return alone;
}

describe("a sale dated before a programme change, batched beside one dated after it", () => {
  it("meets its own version's daily cap and continues its stamp card, as alone", async () => {
    const alone = await aloneAndBatched(
      { rules: [base], caps: { perDay: 100 }, stampCards: [card] },
      { rules: [base] },
    );
    // The first sale took the day's 100 points: the third earns none, and completes the card.
    expect(alone).toMatchObject({ version: 2, points: 0, stamps: [{ card: "coffee", stamps: 0, completed: 1 }] });
    expect(alone.balance).toBe(150);
  });

  it("is judged on its own version's tier window, as alone", async () => {
    const alone = await aloneAndBatched(
      { rules: [base], tiers: { basis: "points_earned", window: "rolling_12_months", levels } },
      { rules: [base] },
    );
    // 150 points each: the third sale brings the window to 450, past silver (400).
    expect(alone).toMatchObject({ version: 2, points: 150, tier: "silver" });
    expect(alone.events.map((e) => e.type)).toContain("tier.changed");
  });

  it("is judged on its own version's basis where the new version counts another one, as alone", async () => {
    const alone = await aloneAndBatched(
      { rules: [base], tiers: { basis: "points_earned", window: "rolling_12_months", levels } },
      {
        rules: [base],
        tiers: { basis: "orders", window: "rolling_12_months", levels: [levels[0], { ...levels[1], threshold: 50 }] },
      },
    );
    expect(alone).toMatchObject({ version: 2, points: 150, tier: "silver" });
  });
});
