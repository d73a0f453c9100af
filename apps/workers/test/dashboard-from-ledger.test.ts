import { couponsOverTime, membersAtEnd, pointsOverTime } from "@regulars/analytics";
import { DomainEvent, LoyaltyEvent, type TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { customerBalances, expandOutbox, loadProcessedEvents } from "@regulars/ledger-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { line, refundOf, txMessage } from "../../../packages/ledger-store/test/batch-fixtures.ts";
import { apply, checkoutTenant, genericCoupon } from "../../../packages/ledger-store/test/checkout-fixtures.ts";
import { writeFactsBatch } from "../src/analytics/write-facts.ts";
import { writeLoyaltyEventsBatch } from "../src/analytics/write-loyalty-events.ts";

// What the ledger announces, stored by the ClickHouse writers and read by the dashboard, against the ledger itself.

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

/** Applies the batch and hands everything it announced to the ClickHouse writers, as the domain stream would. */
async function applyAndStore(messages: TransactionMessage[]) {
  const { outbox } = await apply(db, messages);
  const events = expandOutbox(outbox).map((item) => DomainEvent.parse(item.payload));
  await writeFactsBatch(db, analytics, events);
  const loyalty = events.filter((e): e is LoyaltyEvent => LoyaltyEvent.safeParse(e).success);
  await writeLoyaltyEventsBatch(db, analytics, loyalty);
  return events;
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const rangeOf = (tenantId: string) => ({
  tenantId,
  timezone: "UTC",
  from: day(-2),
  to: day(1),
  granularity: "month" as const,
});

describe("the dashboard against the ledger", () => {
  it("a sale whose coupon gave 50 bonus points, refunded, adds nothing to earned, and balances match the ledger", async () => {
    const { tenantId, customers } = await checkoutTenant(db);
    const [member] = customers as [string];
    await genericCoupon(db, tenantId, "BONUS50", { benefit: { kind: "bonus_points", points: 50 }, limits: {} });
    // A sale that stays (8 points), and one earning 10 points and the coupon's 50, refunded in full later.
    const kept = txMessage(tenantId, { customer: { id: member }, lines: [line("TEA", 800)] });
    const sale = txMessage(tenantId, {
      customer: { id: member },
      couponCodes: ["BONUS50"],
      lines: [line("MEAL", 1_000)],
    });
    await applyAndStore([kept, sale]);
    const refund = refundOf(tenantId, sale, [{ ...line("MEAL", 1_000), lineNo: 0 }]);
    const refundEvents = await applyAndStore([refund]);
    expect(refundEvents.filter((e) => e.type === "points.reversed")).toMatchObject([
      { customerId: member, points: 50, movementKind: "bonus", transactionId: refund.transactionId, balance: 8 },
    ]);

    const ledger = (await customerBalances(db, tenantId, member)).points;
    expect(ledger).toBe(8);
    const points = await pointsOverTime(analytics, rangeOf(tenantId));
    // Given 68 (8 + 10 + 50), taken back 60 by the refund: what stays earned is the kept sale's.
    expect(points.totals).toMatchObject({ earned: 8, reversed: 60, redeemed: 0, returned: 0 });
    const members = await membersAtEnd(analytics, rangeOf(tenantId));
    expect(members).toMatchObject({ activeMembers: 1, averagePoints: ledger });
  });

  it("coupons redeemed counts anonymous sales' uses and returned their refunds', a member's use once", async () => {
    const { tenantId, customers } = await checkoutTenant(db);
    const [member] = customers as [string];
    const campaignId = await genericCoupon(db, tenantId, "EURO1", {
      benefit: { kind: "fixed_off", amount: 100 },
      limits: {},
    });
    const anonymous = txMessage(tenantId, { couponCodes: ["EURO1"], lines: [line("MEAL", 1_000)] });
    const refunded = txMessage(tenantId, { couponCodes: ["EURO1"], lines: [line("SOUP", 600)] });
    const members = txMessage(tenantId, {
      customer: { id: member },
      couponCodes: ["EURO1"],
      lines: [line("TEA", 800)],
    });
    const use = { code: "EURO1", campaignId, discount: 100 };
    const processedUses = (events: DomainEvent[]) =>
      events.flatMap((e) => (e.type === "transaction.processed" ? [e.couponUses] : []));
    expect(processedUses(await applyAndStore([anonymous, refunded, members]))).toEqual([[use], [use], [use]]);
    const refund = refundOf(tenantId, refunded, [{ ...line("SOUP", 600), lineNo: 0 }]);
    expect(processedUses(await applyAndStore([refund]))).toEqual([[use]]);
    // Rebuilt by the relay after a crash, the events name the same uses.
    const rebuilt = await loadProcessedEvents(db, [anonymous.transactionId, refund.transactionId]);
    expect(rebuilt.get(anonymous.transactionId)?.couponUses).toEqual([use]);
    expect(rebuilt.get(refund.transactionId)?.couponUses).toEqual([use]);

    const coupons = await couponsOverTime(analytics, rangeOf(tenantId));
    expect(coupons.totals).toEqual({ issued: 0, redeemed: 3, returned: 1, discount: 300 });
  });
});
