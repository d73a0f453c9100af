import { membersAtEnd, pointsOverTime } from "@regulars/analytics";
import { DomainEvent, defaultProgramme, LoyaltyEvent, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { adjustBalance, customerBalances, expandOutbox, outboxEventsOf } from "@regulars/ledger-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { line, txMessage } from "../../../packages/ledger-store/test/batch-fixtures.ts";
import { apply, checkoutTenant } from "../../../packages/ledger-store/test/checkout-fixtures.ts";
import { writeFactsBatch } from "../src/analytics/write-facts.ts";
import { writeLoyaltyEventsBatch } from "../src/analytics/write-loyalty-events.ts";

// An admin's points adjustments, announced through the outbox, stored by the ClickHouse writers and read by the
// dashboard, against the ledger itself.

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

const loyaltyOf = (events: DomainEvent[]) => events.filter((e): e is LoyaltyEvent => LoyaltyEvent.safeParse(e).success);

async function applyAndStore(messages: TransactionMessage[]) {
  const { outbox } = await apply(db, messages);
  const events = expandOutbox(outbox).map((item) => DomainEvent.parse(item.payload));
  await writeFactsBatch(db, analytics, events);
  await writeLoyaltyEventsBatch(db, analytics, loyaltyOf(events));
}

/** What the tenant's adjustments wrote to the outbox, to the loyalty events writer as the domain stream would. */
async function storeAdjustments(tenantId: string) {
  const events = (await outboxEventsOf(db, tenantId)).filter((item) => item.id.startsWith("adjust:"));
  await writeLoyaltyEventsBatch(db, analytics, loyaltyOf(events.map((item) => DomainEvent.parse(item.payload))));
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const rangeOf = (tenantId: string) => ({
  tenantId,
  timezone: "UTC",
  from: day(-2),
  to: day(1),
  granularity: "month" as const,
});

describe("an admin's points adjustments on the dashboard", () => {
  it("counts a take-back in the member's balance and nets it off earned, as the ledger holds it", async () => {
    const { tenantId, customers } = await checkoutTenant(db);
    const [member] = customers as [string];
    await applyAndStore([txMessage(tenantId, { customer: { id: member }, lines: [line("MEAL", 1_000)] })]);
    const programme = { version: 1, config: defaultProgramme, timezone: "UTC" };
    const adjust = (amount: number) =>
      adjustBalance(
        db,
        tenantId,
        "key_admin",
        { customerId: member, unit: "points", amount, reason: "fix" },
        programme,
      );
    await adjust(4);
    await adjust(-6);
    await storeAdjustments(tenantId);

    const ledger = (await customerBalances(db, tenantId, member)).points;
    expect(ledger).toBe(10 + 4 - 6);
    const members = await membersAtEnd(analytics, rangeOf(tenantId));
    expect(members).toMatchObject({ activeMembers: 1, averagePoints: ledger });
    const points = await pointsOverTime(analytics, rangeOf(tenantId));
    expect(points.totals).toMatchObject({ earned: ledger, reversed: 0, redeemed: 0 });
  });
});
