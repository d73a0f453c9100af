import { type Db, withTransaction } from "@regulars/db";
import type { NewMovement } from "@regulars/ledger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyTransactionBatch, postMovementsDetailed, trackMilestones } from "../src/index.ts";
import { base, ledgerDeps, line, refundOf, tenantWithProgramme, txMessage } from "./batch-fixtures.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// Campaigns judge a late-read `points.milestone` by when its crossing was recorded (`crossed_at`): a fall below the
// milestone must leave that time, and a rise after it is a crossing with its own. Each crossing is moved a day into
// the past before its close: a close that wrote its own time over `crossed_at` then moves it by a day, where two
// transactions recorded within one millisecond would have stored the same instant either way.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const dayMs = 86_400_000;

const points = (tenantId: string, customerId: string, amount: number, idempotencyKey: string): NewMovement => ({
  tenantId,
  customerId,
  kind: amount > 0 ? "earn" : "redeem",
  unit: "points",
  amount,
  idempotencyKey,
  occurredAt: new Date(),
});

/** Each call its own transaction, so each is recorded at its own `now()`. */
const postAndTrack = (movements: NewMovement[]) =>
  withTransaction(db, async (tx) => trackMilestones(tx, [100], await postMovementsDetailed(tx, movements)));

const crossingsOf = (customerId: string) =>
  db.milestoneCrossing.findMany({
    where: { customerId },
    select: { crossing: true, above: true, crossedAt: true, changedAt: true },
    orderBy: { crossing: "asc" },
  });

/** The customer's open crossings as if recorded a day ago; returns that instant (ms precision, as stored). */
async function recordedADayAgo(customerId: string): Promise<Date> {
  const dayAgo = new Date(Date.now() - dayMs);
  await db.milestoneCrossing.updateMany({
    where: { customerId, above: true },
    data: { crossedAt: dayAgo, changedAt: dayAgo },
  });
  return dayAgo;
}

describe("milestone crossing times", () => {
  it("a close keeps the crossing's time; a re-crossing records its own, no earlier than the close", async () => {
    const {
      tenantId,
      customers: [c],
    } = await tenantWithCustomers(db, 1, "Milestone times");
    await postAndTrack([points(tenantId, c!, 120, "earn:1")]);
    const [opened] = await crossingsOf(c!);
    expect(opened).toMatchObject({ crossing: 1, above: true });
    expect(opened!.changedAt).toEqual(opened!.crossedAt);
    const crossedAt = await recordedADayAgo(c!);

    await postAndTrack([points(tenantId, c!, -50, "redeem:1")]);
    const [closed] = await crossingsOf(c!);
    expect(closed).toMatchObject({ crossing: 1, above: false, crossedAt });
    // The close is the change: it moved `changed_at` to its own time, a day after the crossing.
    expect(closed!.changedAt.getTime()).toBeGreaterThan(crossedAt.getTime() + dayMs / 2);

    await postAndTrack([points(tenantId, c!, 40, "earn:2")]);
    const [first, second] = await crossingsOf(c!);
    expect(first).toEqual(closed);
    expect(second).toMatchObject({ crossing: 2, above: true });
    expect(second!.crossedAt.getTime()).toBeGreaterThanOrEqual(closed!.changedAt.getTime());
  });

  it("a refund that takes the balance back below keeps the time the sale crossed the milestone", async () => {
    const phone = "+48730009301";
    const tenantId = await tenantWithProgramme(db, { rules: [base], milestones: [100] }, "Milestone refund times");
    const sale = txMessage(tenantId, { customer: { phone }, lines: [line("MENU", 12_000)] });
    await applyTransactionBatch(ledgerDeps(db), [sale]);
    const customerId = (await db.customer.findFirstOrThrow({ where: { tenantId, phone } })).id;
    expect(await crossingsOf(customerId)).toEqual([expect.objectContaining({ crossing: 1, above: true })]);
    const crossedAt = await recordedADayAgo(customerId);

    await applyTransactionBatch(ledgerDeps(db), [refundOf(tenantId, sale, [line("MENU", 12_000)])]);

    const [closed] = await crossingsOf(customerId);
    expect(closed).toMatchObject({ crossing: 1, above: false, crossedAt });
    expect(closed!.changedAt.getTime()).toBeGreaterThan(crossedAt.getTime() + dayMs / 2);
  });
});
