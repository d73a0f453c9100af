import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Analytics,
  couponsOverTime,
  insertLoyaltyEvents,
  locationTotals,
  membersAtEnd,
  pointsOverTime,
  type TransactionFact,
} from "../src/index.ts";
import {
  couponIssued,
  couponRedeemed,
  pointsEarned,
  pointsExpired,
  pointsRedeemed,
  tierChanged,
} from "./dashboard.fixtures.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// The dashboard's figures over generated facts with known answers. Times are fixed past instants in May
// 2024, when Warsaw was UTC+2: 22:30 UTC is already the next day there, and the day, week and month an event
// counts in follow the zone passed in. Each group of tests writes its own tenants.

let analytics: Analytics & { dispose(): Promise<void> };
const WARSAW = "Europe/Warsaw";

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

const sale = (tenantId: string, customerId: string | null, occurredAt: string, extra: Partial<TransactionFact> = {}) =>
  transactionFact({ tenantId, customerId, occurredAt, lines: [], ...extra });

describe("points earned, redeemed and expired", () => {
  const tenant = uniqueId("tn_points");
  const other = uniqueId("tn_other");
  beforeAll(async () => {
    await insertLoyaltyEvents(analytics, [
      pointsEarned(tenant, "cus_1", "2024-04-30T21:30:00Z", 100), // 30 Apr 23:30 in Warsaw
      pointsEarned(tenant, "cus_1", "2024-04-30T22:30:00Z", 50), // 1 May 00:30 in Warsaw
      pointsEarned(tenant, "cus_2", "2024-05-01T23:30:00Z", 30), // 2 May 01:30 in Warsaw
      pointsRedeemed(tenant, "cus_1", "2024-05-02T08:00:00Z", 20),
      pointsExpired(tenant, "cus_3", "2024-05-05T22:30:00Z", 10), // Sunday in UTC, Monday 6 May in Warsaw
      pointsEarned(tenant, "cus_2", "2024-05-06T12:00:00Z", 40, { movementKind: "bonus" }),
      // Given back by a refund of a sale that spent them, and moved in by a merge: credits, but nobody earned them.
      pointsEarned(tenant, "cus_1", "2024-05-06T12:00:00Z", 5, { movementKind: "reverse" }),
      pointsEarned(tenant, "cus_4", "2024-05-06T12:00:00Z", 15, { movementKind: "transfer_in" }),
      pointsEarned(tenant, "cus_4", "2024-05-31T21:59:00Z", 60, { pending: true }), // 31 May 23:59 in Warsaw
      pointsEarned(tenant, "cus_4", "2024-05-31T22:00:00Z", 70), // 1 June 00:00 in Warsaw
      // Another tenant, on the same days.
      pointsEarned(other, "cus_1", "2024-05-02T10:00:00Z", 1000),
      pointsRedeemed(other, "cus_1", "2024-05-02T11:00:00Z", 999),
    ]);
  });
  const range = { tenantId: tenant, timezone: WARSAW, from: "2024-05-01", to: "2024-05-07" };

  it("per day in the tenant's zone: 23:30 UTC counts on the next day, every day of the range listed", async () => {
    const points = await pointsOverTime(analytics, { ...range, granularity: "day" });
    expect(points.periods).toEqual([
      { period: "2024-05-01", earned: 50, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-02", earned: 30, reversed: 0, redeemed: 20, returned: 0, expired: 0 },
      { period: "2024-05-03", earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-04", earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-05", earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-06", earned: 40, reversed: 0, redeemed: -5, returned: 5, expired: 10 },
      { period: "2024-05-07", earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
    ]);
    expect(points.totals).toEqual({
      earned: 120,
      reversed: 0,
      redeemed: 15,
      returned: 5,
      expired: 10,
      redemptionRate: 15 / 120,
    });
  });

  it("the same events counted in UTC fall on other days", async () => {
    const points = await pointsOverTime(analytics, { ...range, timezone: "UTC", granularity: "day" });
    expect(points.periods.filter((p) => p.earned || p.redeemed || p.expired)).toEqual([
      { period: "2024-05-01", earned: 30, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-02", earned: 0, reversed: 0, redeemed: 20, returned: 0, expired: 0 },
      { period: "2024-05-05", earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 10 },
      { period: "2024-05-06", earned: 40, reversed: 0, redeemed: -5, returned: 5, expired: 0 },
    ]);
  });

  it("per week from Monday, the first week counting only the days inside the range", async () => {
    const warsaw = await pointsOverTime(analytics, { ...range, to: "2024-05-12", granularity: "week" });
    expect(warsaw.periods).toEqual([
      { period: "2024-04-29", earned: 80, reversed: 0, redeemed: 20, returned: 0, expired: 0 },
      { period: "2024-05-06", earned: 40, reversed: 0, redeemed: -5, returned: 5, expired: 10 },
    ]);
    const utc = await pointsOverTime(analytics, { ...range, to: "2024-05-12", timezone: "UTC", granularity: "week" });
    expect(utc.periods.map((p) => [p.period, p.expired])).toEqual([
      ["2024-04-29", 10],
      ["2024-05-06", 0],
    ]);
  });

  it("per month: the last minutes of 31 May in Warsaw are May, midnight is June; pending points count", async () => {
    const points = await pointsOverTime(analytics, {
      ...range,
      from: "2024-04-01",
      to: "2024-06-30",
      granularity: "month",
    });
    expect(points.periods).toEqual([
      { period: "2024-04-01", earned: 100, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
      { period: "2024-05-01", earned: 180, reversed: 0, redeemed: 15, returned: 5, expired: 10 },
      { period: "2024-06-01", earned: 70, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
    ]);
  });

  it("sees only the tenant's own events, and no redemption rate where nothing was earned", async () => {
    const theirs = await pointsOverTime(analytics, { ...range, tenantId: other, granularity: "month" });
    expect(theirs.totals).toMatchObject({ earned: 1000, redeemed: 999, expired: 0, redemptionRate: 0.999 });
    const nobody = await pointsOverTime(analytics, { ...range, tenantId: uniqueId("tn_none"), granularity: "week" });
    expect(nobody.totals).toEqual({
      earned: 0,
      reversed: 0,
      redeemed: 0,
      returned: 0,
      expired: 0,
      redemptionRate: null,
    });
    expect(nobody.periods).toHaveLength(2);
  });

  it("takes a zone in any case, as Intl does: tenants' zones were once stored as typed", async () => {
    const spelled = await pointsOverTime(analytics, { ...range, granularity: "day" });
    expect(await pointsOverTime(analytics, { ...range, timezone: "europe/warsaw", granularity: "day" })).toEqual(
      spelled,
    );
    const utc = await pointsOverTime(analytics, { ...range, timezone: "UTC", granularity: "week" });
    expect(await pointsOverTime(analytics, { ...range, timezone: "utc", granularity: "week" })).toEqual(utc);
    const lower = { ...range, timezone: "etc/utc" };
    await expect(couponsOverTime(analytics, { ...lower, granularity: "month" })).resolves.toBeDefined();
    await expect(membersAtEnd(analytics, lower)).resolves.toBeDefined();
    await expect(locationTotals(analytics, lower)).resolves.toBeDefined();
  });

  it("binds the zone as a value: an unknown zone fails in ClickHouse, nothing is spliced", async () => {
    await expect(
      pointsOverTime(analytics, { ...range, timezone: "Europe/Warsaw') OR 1=1 --", granularity: "day" }),
    ).rejects.toThrow();
  });
});

describe("coupons issued and redeemed", () => {
  const tenant = uniqueId("tn_coupons");
  beforeAll(async () => {
    const redeemedTwice = couponRedeemed(tenant, "cus_1", "2024-05-02T12:00:00Z", 250);
    await insertLoyaltyEvents(analytics, [
      couponIssued(tenant, "cus_1", "2024-05-01T21:00:00Z"), // 1 May 23:00 in Warsaw
      couponIssued(tenant, "cus_1", "2024-05-01T22:30:00Z"), // 2 May in Warsaw
      couponIssued(tenant, "cus_2", "2024-05-01T22:30:00Z"),
      redeemedTwice,
      couponRedeemed(tenant, "cus_2", "2024-05-03T12:00:00Z", 100, true),
      couponIssued(uniqueId("tn_other"), "cus_1", "2024-05-02T10:00:00Z"),
    ]);
    await insertLoyaltyEvents(analytics, [redeemedTwice]); // redelivered
  });

  it("counts issues, uses and returns per day in the tenant's zone, each event once", async () => {
    const coupons = await couponsOverTime(analytics, {
      tenantId: tenant,
      timezone: WARSAW,
      from: "2024-05-01",
      to: "2024-05-03",
      granularity: "day",
    });
    expect(coupons.periods).toEqual([
      { period: "2024-05-01", issued: 1, redeemed: 0, returned: 0, discount: 0 },
      { period: "2024-05-02", issued: 2, redeemed: 1, returned: 0, discount: 250 },
      { period: "2024-05-03", issued: 0, redeemed: 0, returned: 1, discount: 0 },
    ]);
    expect(coupons.totals).toEqual({ issued: 3, redeemed: 1, returned: 1, discount: 250 });
  });
});

describe("active members, their average points and tiers", () => {
  const tenant = uniqueId("tn_members");
  const to = "2024-05-31";
  beforeAll(async () => {
    const goldRedeemed = pointsRedeemed(tenant, "cus_gold", "2024-05-21T10:00:00Z", 100);
    const goldSale = sale(tenant, "cus_gold", "2024-05-20T10:00:00Z");
    await analytics.insertTransactions([
      goldSale,
      goldSale, // redelivered
      sale(tenant, "cus_silver", "2024-03-10T10:00:00Z"),
      sale(tenant, "cus_none", "2024-05-31T21:30:00Z"), // 31 May 23:30 in Warsaw
      sale(tenant, "cus_old", "2024-02-01T10:00:00Z"), // more than 90 days before the end
      sale(tenant, "cus_edge", "2024-05-31T22:30:00Z"), // 1 June in Warsaw: after the end
      sale(tenant, null, "2024-05-20T10:00:00Z"), // anonymous
      sale(tenant, "cus_refund", "2024-05-20T10:00:00Z", { type: "refund", refundOf: "tx_earlier" }),
      sale(tenant, "cus_expired", "2024-04-01T10:00:00Z"),
      sale(tenant, "cus_transfer", "2024-05-05T10:00:00Z"),
      sale(uniqueId("tn_other"), "cus_gold", "2024-05-20T10:00:00Z"),
    ]);
    await insertLoyaltyEvents(analytics, [
      pointsEarned(tenant, "cus_gold", "2024-04-10T10:00:00Z", 300),
      goldRedeemed,
      goldRedeemed,
      tierChanged(tenant, "cus_gold", "2024-03-01T10:00:00Z", "silver"),
      tierChanged(tenant, "cus_gold", "2024-05-10T10:00:00Z", "gold", "silver"),
      tierChanged(tenant, "cus_gold", "2024-06-05T10:00:00Z", "platinum", "gold"), // after the end
      pointsEarned(tenant, "cus_gold", "2024-06-05T10:00:00Z", 5000), // after the end
      pointsEarned(tenant, "cus_silver", "2024-03-10T10:00:00Z", 50),
      tierChanged(tenant, "cus_silver", "2024-03-10T10:00:00Z", "silver"),
      pointsEarned(tenant, "cus_old", "2024-02-01T10:00:00Z", 1000),
      tierChanged(tenant, "cus_old", "2024-02-01T10:00:00Z", "gold"),
      pointsEarned(tenant, "cus_edge", "2024-05-31T22:30:00Z", 500),
      pointsEarned(tenant, "cus_expired", "2024-04-01T10:00:00Z", 80, { pending: true }),
      pointsExpired(tenant, "cus_expired", "2024-05-01T10:00:00Z", 30),
      tierChanged(tenant, "cus_expired", "2024-04-01T10:00:00Z", "silver"),
      // Credits nobody earned: points a refund gave back count in the balance; a merge's transfer does not, the
      // merged customer's own events moving to the survivor instead (dashboard-members.test.ts).
      pointsEarned(tenant, "cus_transfer", "2024-05-05T10:00:00Z", 20, { movementKind: "transfer_in" }),
      pointsEarned(tenant, "cus_transfer", "2024-05-06T10:00:00Z", 10, { movementKind: "reverse" }),
    ]);
  });

  it("as of the end of the range, over members with a sale in the last 90 days, by their latest tier", async () => {
    const members = await membersAtEnd(analytics, { tenantId: tenant, timezone: WARSAW, from: "2024-05-01", to });
    // gold 300 − 100, silver 50, none 0, expired 80 − 30, transfer 10.
    expect(members).toEqual({
      activeDays: 90,
      activeMembers: 5,
      averagePoints: (200 + 50 + 0 + 50 + 10) / 5,
      tiers: [
        { tier: null, members: 2, averagePoints: 5 },
        { tier: "gold", members: 1, averagePoints: 200 },
        { tier: "silver", members: 2, averagePoints: 50 },
      ],
    });
  });

  it("narrows the members to a shorter activity window", async () => {
    const members = await membersAtEnd(analytics, {
      tenantId: tenant,
      timezone: WARSAW,
      from: "2024-05-01",
      to,
      activeDays: 30,
    });
    expect(members.activeMembers).toBe(3); // gold (20 May), none (31 May), transfer (5 May)
    expect(members.averagePoints).toBeCloseTo(210 / 3, 10);
    expect(members.tiers.map((t) => [t.tier, t.members])).toEqual([
      [null, 2],
      ["gold", 1],
    ]);
  });

  it("counts the sale at 23:30 UTC on 31 May only where that is still 31 May", async () => {
    const warsaw = await membersAtEnd(analytics, { tenantId: tenant, timezone: WARSAW, from: to, to, activeDays: 1 });
    expect(warsaw.activeMembers).toBe(1); // cus_none at 23:30 Warsaw time
    const utc = await membersAtEnd(analytics, { tenantId: tenant, timezone: "UTC", from: to, to, activeDays: 1 });
    expect(utc.activeMembers).toBe(2); // cus_none at 21:30 and cus_edge at 22:30 UTC
  });

  it("answers zero members for a tenant without sales, and refuses a nonsensical window", async () => {
    const none = { tenantId: uniqueId("tn_none"), timezone: WARSAW, from: "2024-05-01", to };
    expect(await membersAtEnd(analytics, none)).toEqual({
      activeDays: 90,
      activeMembers: 0,
      averagePoints: 0,
      tiers: [],
    });
    await expect(membersAtEnd(analytics, { ...none, activeDays: 0 })).rejects.toThrow(/activeDays/);
  });
});

describe("transactions and revenue per location", () => {
  const tenant = uniqueId("tn_locations");
  const other = uniqueId("tn_other");
  beforeAll(async () => {
    const big = sale(tenant, "cus_1", "2024-05-02T10:00:00Z", { locationId: "loc_b", total: 3000 });
    await analytics.insertTransactions([
      sale(tenant, "cus_1", "2024-05-01T22:30:00Z", { locationId: "loc_a", total: 1000 }),
      sale(tenant, null, "2024-05-03T10:00:00Z", { locationId: "loc_a", total: 500 }),
      sale(tenant, "cus_1", "2024-05-04T10:00:00Z", { locationId: "loc_a", type: "refund", refundOf: "x", total: 200 }),
      big,
      sale(tenant, "cus_2", "2024-04-30T22:30:00Z", { locationId: "loc_c", total: 700 }), // 1 May in Warsaw
      sale(tenant, "cus_2", "2024-05-31T22:30:00Z", { locationId: "loc_a", total: 9999 }), // 1 June in Warsaw
      sale(other, "cus_1", "2024-05-02T10:00:00Z", { locationId: "loc_a", total: 50_000 }),
    ]);
    await analytics.insertTransactions([big]); // redelivered
  });

  it("sums sales less refunds per location over the range in the tenant's zone, highest revenue first", async () => {
    const range = { tenantId: tenant, timezone: WARSAW, from: "2024-05-01", to: "2024-05-31" };
    expect(await locationTotals(analytics, range)).toEqual([
      { locationId: "loc_b", transactions: 1, refunds: 0, revenue: 3000 },
      { locationId: "loc_a", transactions: 2, refunds: 1, revenue: 1300 },
      { locationId: "loc_c", transactions: 1, refunds: 0, revenue: 700 },
    ]);
    expect(await locationTotals(analytics, { ...range, tenantId: other })).toEqual([
      { locationId: "loc_a", transactions: 1, refunds: 0, revenue: 50_000 },
    ]);
    const utc = await locationTotals(analytics, { ...range, timezone: "UTC" });
    expect(utc.map((l) => [l.locationId, l.transactions])).toEqual([
      ["loc_a", 3],
      ["loc_b", 1],
    ]);
  });

  it("refuses a range that ends before it starts", async () => {
    await expect(
      locationTotals(analytics, { tenantId: tenant, timezone: WARSAW, from: "2024-05-31", to: "2024-05-01" }),
    ).rejects.toThrow(/to must not be before from/);
  });
});
