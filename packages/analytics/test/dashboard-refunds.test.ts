import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, insertLoyaltyEvents, pointsOverTime, type TransactionFact } from "../src/index.ts";
import { pointsEarned, pointsRedeemed } from "./dashboard.fixtures.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// Refunds on the points dashboard. A refund's reversal of what its sale earned publishes no loyalty event: the
// refund's transaction fact carries it (its points, negative). Points a refund gives back of what its sale spent
// arrive as points.earned of kind `reverse`. Both count in the period of the refund. Fixed past days in May and
// June 2024, Warsaw (UTC+2).

let analytics: Analytics & { dispose(): Promise<void> };
const WARSAW = "Europe/Warsaw";

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

const fact = (tenantId: string, occurredAt: string, extra: Partial<TransactionFact>) =>
  transactionFact({ tenantId, customerId: "cus_1", occurredAt, lines: [], ...extra });

describe("points net of refunds", () => {
  const tenant = uniqueId("tn_refunds");
  const other = uniqueId("tn_other");
  beforeAll(async () => {
    const sale = fact(tenant, "2024-05-02T10:00:00Z", { points: 100 });
    const refund = fact(tenant, "2024-05-03T10:00:00Z", { type: "refund", refundOf: sale.transactionId, points: -100 });
    const partSale = fact(tenant, "2024-05-05T10:00:00Z", { points: 80 });
    const partRefund = (at: string) =>
      fact(tenant, at, { type: "refund", refundOf: partSale.transactionId, points: -30 });
    await analytics.insertTransactions([
      sale,
      refund,
      partSale,
      partRefund("2024-05-05T11:00:00Z"),
      partRefund("2024-05-31T22:30:00Z"), // 1 June in Warsaw
      fact(tenant, "2024-05-04T10:00:00Z", { type: "refund", refundOf: "tx_anon", customerId: null, points: 0 }),
      fact(other, "2024-05-03T10:00:00Z", { type: "refund", refundOf: "tx_theirs", points: -999 }),
    ]);
    await analytics.insertTransactions([refund]); // redelivered
    await insertLoyaltyEvents(analytics, [
      pointsEarned(tenant, "cus_1", "2024-05-02T10:00:00Z", 100, { transactionId: sale.transactionId }),
      pointsRedeemed(tenant, "cus_1", "2024-05-02T10:00:00Z", 50),
      // The refund gives back the 50 points its sale spent.
      pointsEarned(tenant, "cus_1", "2024-05-03T10:00:00Z", 50, { movementKind: "reverse" }),
      pointsEarned(tenant, "cus_1", "2024-05-05T10:00:00Z", 80, { transactionId: partSale.transactionId }),
      pointsRedeemed(tenant, "cus_1", "2024-05-06T10:00:00Z", 40),
    ]);
  });
  const range = { tenantId: tenant, timezone: WARSAW, from: "2024-05-02", to: "2024-05-06" };

  it("takes a refund's reversal off the points earned on the day of the refund, and shows it", async () => {
    const points = await pointsOverTime(analytics, { ...range, granularity: "day" });
    expect(points.periods).toEqual([
      { period: "2024-05-02", earned: 100, reversed: 0, redeemed: 50, returned: 0, expired: 0 },
      { period: "2024-05-03", earned: -100, reversed: 100, redeemed: -50, returned: 50, expired: 0 },
      { period: "2024-05-04", earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-05", earned: 50, reversed: 30, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-06", earned: 0, reversed: 0, redeemed: 40, returned: 0, expired: 0 },
    ]);
  });

  it("totals the range as its periods add up, the redemption rate net of both", async () => {
    const days = await pointsOverTime(analytics, { ...range, granularity: "day" });
    const week = await pointsOverTime(analytics, { ...range, granularity: "week" });
    const totals = { earned: 50, reversed: 130, redeemed: 40, returned: 50, expired: 0, redemptionRate: 40 / 50 };
    expect(days.totals).toEqual(totals);
    expect(week.totals).toEqual(totals);
    expect(week.periods).toEqual([
      { period: "2024-04-29", earned: 50, reversed: 130, redeemed: 0, returned: 50, expired: 0 },
      { period: "2024-05-06", earned: 0, reversed: 0, redeemed: 40, returned: 0, expired: 0 },
    ]);
  });

  it("counts a refund in the month it happened in the tenant's zone, not the sale's", async () => {
    const months = await pointsOverTime(analytics, { ...range, to: "2024-06-30", granularity: "month" });
    expect(months.periods.map((p) => [p.period, p.earned, p.reversed])).toEqual([
      ["2024-05-01", 50, 130],
      ["2024-06-01", -30, 30],
    ]);
    expect(months.totals.redemptionRate).toBe(40 / 20);
  });

  it("has no redemption rate where refunds took back all that was earned", async () => {
    const refundDay = await pointsOverTime(analytics, {
      ...range,
      from: "2024-05-03",
      to: "2024-05-03",
      granularity: "day",
    });
    expect(refundDay.totals).toMatchObject({ earned: -100, reversed: 100, redemptionRate: null });
    const theirs = await pointsOverTime(analytics, { ...range, tenantId: other, granularity: "month" });
    expect(theirs.totals).toMatchObject({ earned: -999, reversed: 999 });
  });
});
