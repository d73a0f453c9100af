import { asAdminView } from "@regulars/api-client";
import type { Quote } from "@regulars/contracts";
import { createDb, type Db } from "@regulars/db";
import type { CreatedTenant } from "@regulars/tenancy";
import { eventually, testDatabaseUrl, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Line, line, postSale } from "./checkout-flow.ts";
import { startTestSystem, type TestSystem } from "./system-fixture.ts";

// Sales posted through the gateway, a coupon issued by an admin and points and a coupon spent at the kiosk
// reach the dashboard: the ledger's domain events land in ClickHouse through the loyalty events writer, the
// sales through the analytics writer, and analytics.dashboard.* reads them over tRPC.

let system: TestSystem;
let db: Db;
let tenant: CreatedTenant;

beforeAll(async () => {
  system = await startTestSystem({ JOBS_INTERVAL_MS: "3600000" });
  db = createDb({ url: testDatabaseUrl(), poolSize: 2 });
  tenant = await testTenant(db, "Dashboard Burgers", "Europe/Warsaw");
  const admin = system.client(tenant.apiKeys.admin);
  await admin.programme.tiers.set.mutate({
    tiers: {
      basis: "points_earned",
      window: "lifetime",
      levels: [
        { id: "bronze", name: "Bronze", threshold: 0 },
        { id: "silver", name: "Silver", threshold: 200 },
      ],
    },
  } as never);
  await admin.programme.redemption.set.mutate({
    redemption: { points: 100, value: 500, minPoints: 50, maxDiscountPerOrder: 1000 },
  });
});
afterAll(async () => {
  await system?.dispose();
  await db?.$disconnect();
});

/** The tenant's calendar day `days` from today: the range is relative, so the test never depends on the date. */
const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Warsaw" }).format(new Date());
const localDay = (days: number) =>
  new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

it("shows points, coupons, members per tier and locations once the sales' events have landed", async () => {
  const admin = system.client(tenant.apiKeys.admin);
  const kiosk = system.client(tenant.apiKeys.kiosk);
  const [anna, ben] = ["+48600800001", "+48600800002"];
  // Stamped now, not a minute ago: the tiers set in beforeAll are in force from the moment they were set.
  const sale = (phone: string, lines: Line[], extra: Record<string, unknown> = {}) =>
    postSale(system, tenant, phone, lines, { occurredAt: new Date().toISOString(), ...extra });

  const first = await sale(anna, [line("FEAST", 25_000)], { locationId: "store-1" }); // 250 points: silver
  const second = await sale(ben, [line("MEAL", 3_000)], { locationId: "store-2" }); // 30 points: bronze

  const campaign = await admin.coupons.create.mutate({
    name: "Half-price fries",
    benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
    codes: { kind: "unique", pattern: "HALF-XXXXX" },
  });
  const annaId = asAdminView(await admin.customers.get.query({ phone: anna })).id;
  const coupon = await admin.coupons.issue.mutate({ id: campaign.id, customerId: annaId, issueKey: "dashboard" });

  // Anna spends 100 points and the coupon at store 2.
  const basket = {
    locationId: "store-2",
    channel: "kiosk" as const,
    currency: "EUR",
    lines: [line("MEAL", 2_000), line("FRIES", 400)],
  };
  const hold = await kiosk.checkout.hold.mutate({
    customer: { phone: anna },
    basket,
    couponCodes: [coupon.code],
    points: 100,
  });
  const quote: Quote = hold.quote;
  expect(quote.points).toMatchObject({ applied: 100 });
  const priced = basket.lines.map((l, i) => ({ ...l, discount: quote.lines[i]!.discount }));
  const third = await sale(anna, priced, { locationId: "store-2", holdId: hold.holdId, couponCodes: [coupon.code] });
  const couponDiscount = quote.discount - 500; // 100 points are worth €5

  const anonymousId = `ANON-${Date.now()}`;
  const anonymous = await system.post("/v1/transactions", tenant.apiKeys.pos, {
    externalId: anonymousId,
    type: "sale",
    occurredAt: new Date().toISOString(),
    locationId: "store-1",
    channel: "pos",
    currency: "EUR",
    lines: [line("WATER", 500)],
    total: 500,
  });
  expect(anonymous.status).toBe(202);
  await system.processed(tenant.apiKeys.admin, anonymousId);

  const awarded = [first, second, third].map((s) => s.record.pointsAwarded);
  expect(awarded.slice(0, 2)).toEqual([250, 30]);
  const range = { from: localDay(-2), to: localDay(1) };
  const analyst = system.client(tenant.apiKeys.analyst);

  const points = await eventually("points on the dashboard", async () => {
    const answer = await analyst.analytics.dashboard.points.query({ ...range, granularity: "day" });
    expect(answer.totals).toEqual({
      earned: sum(awarded),
      reversed: 0,
      redeemed: 100,
      returned: 0,
      expired: 0,
      redemptionRate: 100 / sum(awarded),
    });
    return answer;
  });
  expect(points.timezone).toBe("Europe/Warsaw");
  expect(points.periods.map((p) => p.period)).toEqual([localDay(-2), localDay(-1), localDay(0), localDay(1)]);

  const coupons = await eventually("coupons on the dashboard", async () => {
    const answer = await admin.analytics.dashboard.coupons.query({ ...range, granularity: "month" });
    expect(answer.totals).toEqual({ issued: 1, redeemed: 1, returned: 0, discount: couponDiscount });
    return answer;
  });
  expect(couponDiscount).toBe(200);
  expect(coupons.granularity).toBe("month");

  const annaPoints = 250 - 100 + awarded[2]!;
  // Members come from the sales (analytics writer), their points and tiers from the events (loyalty writer).
  const members = await eventually("members on the dashboard", async () => {
    const answer = await analyst.analytics.dashboard.members.query(range);
    expect(answer.tiers).toEqual([
      { tier: "bronze", members: 1, averagePoints: 30 },
      { tier: "silver", members: 1, averagePoints: annaPoints },
    ]);
    return answer;
  });
  expect(members).toMatchObject({ activeDays: 90, activeMembers: 2, averagePoints: (annaPoints + 30) / 2 });

  const locations = await eventually("locations on the dashboard", async () => {
    const answer = await admin.analytics.dashboard.locations.query(range);
    expect(answer.locations.map((l) => l.transactions)).toEqual([2, 2]);
    return answer;
  });
  expect(locations).toEqual({
    timezone: "Europe/Warsaw",
    currency: "EUR",
    locations: [
      { locationId: "store-1", transactions: 2, refunds: 0, revenue: 25_000 + 500 },
      { locationId: "store-2", transactions: 2, refunds: 0, revenue: 3_000 + third.body.total },
    ],
  });
});
