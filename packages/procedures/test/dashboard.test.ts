import { insertLoyaltyEvents } from "@regulars/analytics";
import type { LoyaltyEvent } from "@regulars/contracts";
import { type Db, withTransaction } from "@regulars/db";
import { findCredential, setLocation } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, issuesOf } from "./helpers.ts";

// analytics.dashboard.* through tRPC: who may read it, that the tenant and its time zone come from the key,
// and how a bad range is refused. The figures themselves are pinned in packages/analytics/test.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let warsaw: Awaited<ReturnType<typeof testTenant>>;
let newYork: Awaited<ReturnType<typeof testTenant>>;

let n = 0;
const event = (tenantId: string, customerId: string, occurredAt: string) => ({
  id: `ev_${++n}`,
  tenantId,
  customerId,
  occurredAt,
});
const earned = (tenantId: string, customerId: string, occurredAt: string, points: number): LoyaltyEvent => ({
  ...event(tenantId, customerId, occurredAt),
  type: "points.earned",
  points,
  movementKind: "earn",
  transactionId: null,
  pending: false,
  balance: points,
});
const sale = (tenantId: string, customerId: string, occurredAt: string, locationId: string, total: number) => ({
  tenantId,
  transactionId: `tx_${++n}`,
  externalId: `pos_${n}`,
  type: "sale" as const,
  refundOf: null,
  occurredAt,
  locationId,
  channel: "pos",
  customerId,
  currency: "EUR",
  total,
  discountTotal: 0,
  points: 1,
  lines: [],
});

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  warsaw = await testTenant(db, "Dashboard Grill", "Europe/Warsaw");
  newYork = await testTenant(db, "Dashboard Diner", "America/New_York");
  // 1 May 23:30 UTC is 2 May in Warsaw; 2 May 03:30 UTC is still 1 May in New York.
  await insertLoyaltyEvents(analytics, [
    earned(warsaw.tenantId, "cus_anna", "2024-05-01T23:30:00Z", 40),
    {
      ...event(warsaw.tenantId, "cus_anna", "2024-05-03T12:00:00Z"),
      type: "points.redeemed",
      points: 10,
      transactionId: null,
      balance: 30,
    },
    {
      ...event(warsaw.tenantId, "cus_anna", "2024-05-01T12:00:00Z"),
      type: "tier.changed",
      from: null,
      to: "gold",
      direction: "up",
      qualifyingValue: 40,
    },
    {
      ...event(warsaw.tenantId, "cus_anna", "2024-05-02T12:00:00Z"),
      type: "coupon.issued",
      campaignId: "cpn_1",
      code: "FRIES",
      source: "campaign",
    },
    earned(newYork.tenantId, "cus_ben", "2024-05-02T03:30:00Z", 500),
  ]);
  await analytics.insertTransactions([
    sale(warsaw.tenantId, "cus_anna", "2024-05-01T23:30:00Z", "store-1", 1250),
    sale(newYork.tenantId, "cus_ben", "2024-05-02T03:30:00Z", "store-1", 9900),
  ]);
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const callerFor = async (key: string, withAnalytics = true) => {
  const credential = await findCredential(db, key);
  if (!credential) throw new Error("the test key was not found");
  return createCaller({ db, credential, requestId: "req_test", analytics: withAnalytics ? analytics : null });
};
const may = { from: "2024-05-01", to: "2024-05-03" };

describe("analytics.dashboard", () => {
  it("answers points per day in the tenant's own time zone, for the tenant of the key", async () => {
    const admin = await callerFor(warsaw.apiKeys.admin);
    const points = await admin.analytics.dashboard.points({ ...may, granularity: "day" });
    expect(points).toEqual({
      timezone: "Europe/Warsaw",
      granularity: "day",
      periods: [
        { period: "2024-05-01", earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
        { period: "2024-05-02", earned: 40, reversed: 0, redeemed: 0, returned: 0, expired: 0 },
        { period: "2024-05-03", earned: 0, reversed: 0, redeemed: 10, returned: 0, expired: 0 },
      ],
      totals: { earned: 40, reversed: 0, redeemed: 10, returned: 0, expired: 0, redemptionRate: 0.25 },
    });
    const analyst = await callerFor(newYork.apiKeys.analyst);
    const theirs = await analyst.analytics.dashboard.points(may);
    expect(theirs.timezone).toBe("America/New_York");
    expect(theirs.periods.map((p) => [p.period, p.earned])).toEqual([
      ["2024-05-01", 500],
      ["2024-05-02", 0],
      ["2024-05-03", 0],
    ]);
  });

  it("answers coupons, members and locations, each for the key's tenant only", async () => {
    const analyst = await callerFor(warsaw.apiKeys.analyst);
    const coupons = await analyst.analytics.dashboard.coupons({ ...may, granularity: "month" });
    expect(coupons.periods).toEqual([{ period: "2024-05-01", issued: 1, redeemed: 0, returned: 0, discount: 0 }]);
    expect(await analyst.analytics.dashboard.members({ ...may, activeDays: 30 })).toEqual({
      timezone: "Europe/Warsaw",
      asOf: "2024-05-03",
      activeDays: 30,
      activeMembers: 1,
      averagePoints: 30,
      tiers: [{ tier: "gold", members: 1, averagePoints: 30 }],
    });
    expect(await analyst.analytics.dashboard.locations(may)).toEqual({
      timezone: "Europe/Warsaw",
      currency: "EUR",
      locations: [{ locationId: "store-1", transactions: 1, refunds: 0, revenue: 1250 }],
    });
  });

  it("is open to admin and analyst keys only", async () => {
    for (const key of [warsaw.apiKeys.pos, warsaw.apiKeys.kiosk]) {
      const e = await failure((await callerFor(key)).analytics.dashboard.points(may));
      expect(e.code).toBe("FORBIDDEN");
    }
  });

  it("refuses a bad range with the field at fault", async () => {
    const admin = await callerFor(warsaw.apiKeys.admin);
    const backwards = await failure(admin.analytics.dashboard.points({ from: "2024-05-03", to: "2024-05-01" }));
    expect(backwards.code).toBe("BAD_REQUEST");
    expect(issuesOf(backwards)).toEqual([{ path: "to", message: "must not be before from" }]);
    const tooMany = await failure(admin.analytics.dashboard.coupons({ from: "2020-01-01", to: "2024-12-31" }));
    expect(issuesOf(tooMany)).toEqual([
      { path: "granularity", message: "the range has more than 400 days; choose a coarser granularity" },
    ]);
    const notADay = await failure(admin.analytics.dashboard.locations({ from: "2024-02-30", to: "2024-03-01" }));
    expect(issuesOf(notADay)?.map((i) => i.path)).toEqual(["from"]);
    const granularity = await failure(admin.analytics.dashboard.points({ ...may, granularity: "hour" as never }));
    expect(issuesOf(granularity)?.map((i) => i.path)).toEqual(["granularity"]);
    const window = await failure(admin.analytics.dashboard.members({ ...may, activeDays: 0 }));
    expect(issuesOf(window)?.map((i) => i.path)).toEqual(["activeDays"]);
  });

  it("counts a location with a zone of its own on that zone's days", async () => {
    const grill = await testTenant(db, "London Branch Grill", "Europe/Warsaw");
    const location = { id: "london", name: "Soho", timezone: "Europe/London" };
    await withTransaction(db, (tx) => setLocation(tx, grill.tenantId, location, "test"));
    // 31 May 23:30 in London is 1 June in Warsaw; May in London all the same.
    await analytics.insertTransactions([sale(grill.tenantId, "cus_eve", "2024-05-31T23:30:00+01:00", "london", 800)]);
    const admin = await callerFor(grill.apiKeys.admin);
    expect(await admin.analytics.dashboard.locations({ from: "2024-05-01", to: "2024-05-31" })).toEqual({
      timezone: "Europe/Warsaw",
      currency: "EUR",
      locations: [{ locationId: "london", transactions: 1, refunds: 0, revenue: 800 }],
    });
    expect((await admin.analytics.dashboard.locations({ from: "2024-06-01", to: "2024-06-30" })).locations).toEqual([]);
  });

  it("says analytics is unavailable where the API process has no ClickHouse, and analyst SQL still answers", async () => {
    const e = await failure((await callerFor(warsaw.apiKeys.admin, false)).analytics.dashboard.members(may));
    expect(e.code).toBe("SERVICE_UNAVAILABLE");
    const analyst = await callerFor(warsaw.apiKeys.analyst);
    expect((await analyst.analytics.sql({ sql: "SELECT sum(total) FROM transactions" })).rows).toEqual([["1250"]]);
  });
});

describe("analytics.dashboard for a zone typed in lower case", () => {
  const earnedPerDay = async (key: string) => {
    const points = await (await callerFor(key)).analytics.dashboard.points({ ...may, granularity: "day" });
    return points.periods.map((p) => [p.period, p.earned]);
  };

  it("has the zone stored as the tz database spells it, which ClickHouse loads", async () => {
    const lower = await testTenant(db, "Lower Case Grill", "europe/warsaw");
    expect((await db.tenant.findUniqueOrThrow({ where: { id: lower.tenantId } })).timezone).toBe("Europe/Warsaw");
    await insertLoyaltyEvents(analytics, [earned(lower.tenantId, "cus_cy", "2024-05-01T23:30:00Z", 40)]);
    expect(await earnedPerDay(lower.apiKeys.analyst)).toEqual([
      ["2024-05-01", 0],
      ["2024-05-02", 40],
      ["2024-05-03", 0],
    ]);
  });

  it("still answers a tenant whose zone was stored as typed, before zones were stored spelled out", async () => {
    const legacy = await testTenant(db, "Legacy Zone Grill", "UTC");
    await db.$executeRaw`UPDATE tenants SET timezone = 'utc' WHERE id = ${legacy.tenantId}`;
    await insertLoyaltyEvents(analytics, [earned(legacy.tenantId, "cus_dee", "2024-05-01T23:30:00Z", 40)]);
    await analytics.insertTransactions([sale(legacy.tenantId, "cus_dee", "2024-05-01T23:30:00Z", "store-1", 500)]);
    expect(await earnedPerDay(legacy.apiKeys.admin)).toEqual([
      ["2024-05-01", 40],
      ["2024-05-02", 0],
      ["2024-05-03", 0],
    ]);
    const admin = await callerFor(legacy.apiKeys.admin);
    expect((await admin.analytics.dashboard.coupons(may)).totals).toMatchObject({ issued: 0 });
    expect(await admin.analytics.dashboard.members(may)).toMatchObject({ activeMembers: 1 });
    expect((await admin.analytics.dashboard.locations(may)).locations).toEqual([
      { locationId: "store-1", transactions: 1, refunds: 0, revenue: 500 },
    ]);
  });
});
