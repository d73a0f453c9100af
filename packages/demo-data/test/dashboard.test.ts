import { membersAtEnd, pointsOverTime } from "@regulars/analytics";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../src/index.ts";

// The dashboard counts points given from loyalty events and points refunds took back from the refunds' transaction
// facts. The seeder writes no ledger (seeded customers start at 0 points), so its history must not take back
// points that it never gave.

const db = testDb();
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const timezone = "Europe/Warsaw";
const days = 90;
const now = new Date();
const localDay = (at: Date) => new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(at);
let tenantId: string;
let range: { tenantId: string; timezone: string; from: string; to: string };

beforeAll(async () => {
  analytics = await testAnalytics();
  ({ tenantId } = await testTenant(db, "Demo Burgers", timezone));
  await seedDemo({ db, analytics, tenantId, customers: 400, days, now });
  range = { tenantId, timezone, from: localDay(new Date(now.getTime() - days * 86_400_000)), to: localDay(now) };
});
afterAll(async () => {
  await analytics?.dispose();
  await db.$disconnect();
});

describe("the dashboard over a seeded demo history", () => {
  it("has seeded refunds to show", async () => {
    const result = await analytics.client.query({
      query: `SELECT count() AS n FROM ${analytics.database}.transactions FINAL
               WHERE tenant_id = {tenant:String} AND type = 'refund'`,
      query_params: { tenant: tenantId },
      format: "JSONEachRow",
    });
    expect(Number(((await result.json()) as { n: string }[])[0]!.n)).toBeGreaterThan(0);
  });

  it("shows no points taken back by seeded refunds, and no day earning less than nothing", async () => {
    const points = await pointsOverTime(analytics, { ...range, granularity: "day" });
    expect(points.totals).toMatchObject({ earned: 0, reversed: 0, redeemed: 0, returned: 0, expired: 0 });
    expect(points.periods.filter((p) => p.earned < 0 || p.reversed !== 0)).toEqual([]);
  });

  it("gives the seeded members the balance they start with: none", async () => {
    const members = await membersAtEnd(analytics, range);
    expect(members.activeMembers).toBeGreaterThan(0);
    expect(members.averagePoints).toBe(0);
  });
});
