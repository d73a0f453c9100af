import { type Db, withTransaction } from "@regulars/db";
import type { NewMovement } from "@regulars/ledger";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postMovementsDetailed, trackMilestones } from "../src/index.ts";
import { tenantWithCustomers } from "./fixtures.ts";

// Campaigns judge a late-read `points.milestone` by when its crossing was recorded (`crossed_at`): a fall below the
// milestone must leave that time, and a rise after it is a crossing with its own.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

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

    await postAndTrack([points(tenantId, c!, -50, "redeem:1")]);
    const [closed] = await crossingsOf(c!);
    expect(closed).toMatchObject({ crossing: 1, above: false, crossedAt: opened!.crossedAt });
    expect(closed!.changedAt.getTime()).toBeGreaterThanOrEqual(opened!.crossedAt.getTime());

    await postAndTrack([points(tenantId, c!, 40, "earn:2")]);
    const [first, second] = await crossingsOf(c!);
    expect(first).toEqual(closed);
    expect(second).toMatchObject({ crossing: 2, above: true });
    expect(second!.crossedAt.getTime()).toBeGreaterThanOrEqual(closed!.changedAt.getTime());
  });
});
