import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, locationsSeenAtTills, locationsSeenDays } from "../src/index.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// "Locations seen at tills" over real chdb: every location id a tenant's tills posted a sale with, counted once per
// sale however often the fact was delivered. Times are relative to now.

let analytics: Analytics & { dispose(): Promise<void> };
const DAY = 86_400_000;
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
const since = new Date(now.getTime() - locationsSeenDays * DAY);

const tenant = uniqueId("tn_seen");
const other = uniqueId("tn_other");
const sale = (tenantId: string, locationId: string, occurredAt: string) =>
  transactionFact({ tenantId, locationId, occurredAt, lines: [] });

beforeAll(async () => {
  analytics = await testAnalytics();
  const twice = sale(tenant, "store-A", ago(1));
  const refunded = sale(tenant, "store-B", ago(3));
  await analytics.insertTransactions([
    sale(tenant, "store-A", ago(10)),
    twice,
    refunded,
    { ...sale(tenant, "store-B", ago(2)), type: "refund", refundOf: refunded.transactionId },
    sale(tenant, "store-gone", ago(locationsSeenDays + 30)),
    sale(other, "store-A", ago(1)),
    sale(other, "store-Z", ago(1)),
  ]);
  // A redelivered batch: the same fact again, which FINAL collapses.
  await analytics.insertTransactions([twice]);
});
afterAll(async () => {
  await analytics?.dispose();
});

describe("locationsSeenAtTills", () => {
  it("answers each location of the tenant's sales in the window with its sales and latest sale, by id", async () => {
    expect(await locationsSeenAtTills(analytics, tenant, since)).toEqual([
      { locationId: "store-A", sales: 2, lastSaleAt: ago(1) },
      { locationId: "store-B", sales: 1, lastSaleAt: ago(3) },
    ]);
  });

  it("never answers another tenant's locations, and nothing for a tenant without sales", async () => {
    expect((await locationsSeenAtTills(analytics, other, since)).map((l) => l.locationId)).toEqual([
      "store-A",
      "store-Z",
    ]);
    expect(await locationsSeenAtTills(analytics, uniqueId("tn_none"), since)).toEqual([]);
  });

  it("looks back as far as it is asked: a location that sold before the window is not seen", async () => {
    const older = new Date(now.getTime() - (locationsSeenDays + 60) * DAY);
    expect(await locationsSeenAtTills(analytics, tenant, older)).toContainEqual({
      locationId: "store-gone",
      sales: 1,
      lastSaleAt: ago(locationsSeenDays + 30),
    });
  });
});
