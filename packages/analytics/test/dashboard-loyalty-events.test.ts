import { LoyaltyEvent } from "@regulars/contracts";
import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Analytics,
  insertLoyaltyEvents,
  loyaltyEventTypes,
  pointsOverTime,
  toLoyaltyEventRow,
} from "../src/index.ts";
import { couponIssued, couponRedeemed, pointsEarned, pointsRedeemed, tierChanged } from "./dashboard.fixtures.ts";
import { uniqueId } from "./fixtures.ts";

// The loyalty_events table: what a row holds per type, and that a redelivered event counts once.

let analytics: Analytics & { dispose(): Promise<void> };

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

async function rowsOf(tenantId: string) {
  const result = await analytics.client.query({
    query: `SELECT id, type, toString(occurred_at) AS at, points, movement_kind, tier_to, code, returned, details
              FROM ${analytics.database}.loyalty_events FINAL WHERE tenant_id = {tenant:String} ORDER BY occurred_at, id`,
    query_params: { tenant: tenantId },
    format: "JSONEachRow",
  });
  return result.json<Record<string, unknown>>();
}

describe("loyalty event rows", () => {
  it("holds every loyalty event type of the contracts and no other domain event", () => {
    expect([...loyaltyEventTypes].sort()).toEqual(LoyaltyEvent.options.map((o) => o.shape.type.value).sort());
    expect(loyaltyEventTypes.has("points.earned")).toBe(true);
    expect(loyaltyEventTypes.has("transaction.processed")).toBe(false);
  });

  it("puts each type's figures in columns, the rest in details, the time in UTC", () => {
    const earned = pointsEarned("tn_a", "cus_1", "2024-05-02T01:30:00+02:00", 40, { movementKind: "bonus" });
    expect(toLoyaltyEventRow(earned)).toMatchObject({
      tenant_id: "tn_a",
      customer_id: "cus_1",
      type: "points.earned",
      occurred_at: "2024-05-01 23:30:00.000",
      points: 40,
      movement_kind: "bonus",
      pending: false,
      tier_to: "",
    });
    const tier = tierChanged("tn_a", "cus_1", "2024-05-02T10:00:00Z", "gold", "silver");
    expect(toLoyaltyEventRow(tier)).toMatchObject({ tier_from: "silver", tier_to: "gold", points: 0 });
    expect(JSON.parse(toLoyaltyEventRow(tier).details)).toEqual({
      from: "silver",
      to: "gold",
      direction: "up",
      qualifyingValue: 100,
    });
    const issued = couponIssued("tn_a", "cus_1", "2024-05-02T10:00:00Z");
    expect(JSON.parse(toLoyaltyEventRow(issued).details)).toMatchObject({ source: "campaign" });
    expect(toLoyaltyEventRow(couponRedeemed("tn_a", "cus_1", "2024-05-02T10:00:00Z", 250, true))).toMatchObject({
      discount: 250,
      returned: true,
    });
  });

  it("refuses a time without an offset before anything is written", async () => {
    const tenant = uniqueId("tn");
    const good = pointsEarned(tenant, "cus_1", "2024-05-02T10:00:00Z", 10);
    const bad = pointsEarned(tenant, "cus_1", "2024-05-02 10:00:00", 10);
    await expect(insertLoyaltyEvents(analytics, [good, bad])).rejects.toThrow(/Invalid timestamp/);
    expect(await rowsOf(tenant)).toEqual([]);
  });
});

describe("inserting", () => {
  it("stores events of several months, read back as written", async () => {
    const tenant = uniqueId("tn");
    await insertLoyaltyEvents(analytics, [
      pointsEarned(tenant, "cus_1", "2024-04-30T10:00:00Z", 10),
      pointsRedeemed(tenant, "cus_1", "2024-05-02T10:00:00Z", 5),
      couponRedeemed(tenant, "cus_1", "2024-06-02T10:00:00Z", 300, true),
    ]);
    const rows = await rowsOf(tenant);
    expect(rows.map((r) => [r.type, r.at, r.points])).toEqual([
      ["points.earned", "2024-04-30 10:00:00.000", "10"],
      ["points.redeemed", "2024-05-02 10:00:00.000", "5"],
      ["coupon.redeemed", "2024-06-02 10:00:00.000", "0"],
    ]);
    expect(rows[2]).toMatchObject({ returned: true });
  });

  it("counts a redelivered event once, whatever batch it comes back in", async () => {
    const tenant = uniqueId("tn");
    const once = pointsEarned(tenant, "cus_1", "2024-05-02T10:00:00Z", 70);
    const redeemed = pointsRedeemed(tenant, "cus_1", "2024-05-02T11:00:00Z", 20);
    await insertLoyaltyEvents(analytics, [once, redeemed]);
    // The batch after a crash: the same events again, beside a new one, in another order.
    const later = pointsEarned(tenant, "cus_2", "2024-05-03T10:00:00Z", 5);
    await insertLoyaltyEvents(analytics, [later, redeemed, once]);
    await insertLoyaltyEvents(analytics, [once]);

    expect((await rowsOf(tenant)).map((r) => r.id)).toEqual([once.id, redeemed.id, later.id]);
    const points = await pointsOverTime(analytics, {
      tenantId: tenant,
      timezone: "UTC",
      from: "2024-05-01",
      to: "2024-05-31",
      granularity: "month",
    });
    expect(points.totals).toMatchObject({ earned: 75, redeemed: 20, expired: 0, redemptionRate: 20 / 75 });
  });
});
