import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, insertLoyaltyEvents, membersAtEnd, pointsOverTime } from "../src/index.ts";
import { pointsEarned, pointsExpired, pointsRedeemed, pointsReversed } from "./dashboard.fixtures.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// An admin's adjustments on the dashboard: a credit is points given (points.earned of kind adjust), a take-back
// (points.reversed of kind adjust) is points given back again, not something a refund took. Past days of May 2024.

let analytics: Analytics & { dispose(): Promise<void> };
beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

const range = (tenantId: string) => ({
  tenantId,
  timezone: "UTC",
  from: "2024-05-01",
  to: "2024-05-31",
  granularity: "month" as const,
});

describe("an admin's negative adjustment", () => {
  const tenant = uniqueId("tn_adjust");
  beforeAll(async () => {
    // Earned 100 at a sale and 20 as an admin's credit; an admin took 30 back, a refund took back a 10-point reward.
    await analytics.insertTransactions([
      transactionFact({ tenantId: tenant, customerId: "cus_1", occurredAt: "2024-05-02T10:00:00Z", lines: [] }),
    ]);
    await insertLoyaltyEvents(analytics, [
      pointsEarned(tenant, "cus_1", "2024-05-02T10:00:00Z", 100),
      pointsEarned(tenant, "cus_1", "2024-05-05T10:00:00Z", 20, { movementKind: "adjust" }),
      pointsReversed(tenant, "cus_1", "2024-05-06T10:00:00Z", 30, "adjust"),
      pointsReversed(tenant, "cus_1", "2024-05-07T10:00:00Z", 10, "bonus"),
    ]);
  });

  it("comes off earned, and not off what refunds took back", async () => {
    const points = await pointsOverTime(analytics, range(tenant));
    expect(points.totals).toMatchObject({ earned: 100 + 20 - 30 - 10, reversed: 10, redeemed: 0 });
    expect(points.periods).toEqual([expect.objectContaining({ period: "2024-05-01", earned: 80, reversed: 10 })]);
  });

  it("comes off the member's balance", async () => {
    const members = await membersAtEnd(analytics, range(tenant));
    expect(members).toMatchObject({ activeMembers: 1, averagePoints: 100 + 20 - 30 - 10 });
  });
});

describe("an inactivity expiry taken back", () => {
  const tenant = uniqueId("tn_unexpire");
  beforeAll(async () => {
    // Earned 100, spent 20; 80 expired for inactivity, then a purchase made before the expiry and uploaded after it
    // gave the 80 back (an `expire` movement credited, announced as points.earned).
    await insertLoyaltyEvents(analytics, [
      pointsEarned(tenant, "cus_1", "2024-05-02T10:00:00Z", 100),
      pointsRedeemed(tenant, "cus_1", "2024-05-03T10:00:00Z", 20),
      pointsExpired(tenant, "cus_1", "2024-05-10T10:00:00Z", 80),
      pointsEarned(tenant, "cus_1", "2024-05-12T10:00:00Z", 80, { movementKind: "expire" }),
    ]);
  });

  it("comes off expired, and is neither earned nor a refund's return", async () => {
    const points = await pointsOverTime(analytics, range(tenant));
    expect(points.totals).toMatchObject({ earned: 100, redeemed: 20, returned: 0, expired: 0 });
  });
});
