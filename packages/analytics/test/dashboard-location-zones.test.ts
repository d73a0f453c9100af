import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, locationTotals } from "../src/index.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// Location totals of a Warsaw tenant with a London location: each location's days run in its own zone where it
// has one (SPEC: reporting days in the tenant's zone, or the location's where one is set). Fixed past days, 2024.

let analytics: Analytics & { dispose(): Promise<void> };
const WARSAW = "Europe/Warsaw";

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

describe("location totals in each location's own zone", () => {
  const tenant = uniqueId("tn_loc_zone");
  const sale = (locationId: string, occurredAt: string, total: number) =>
    transactionFact({ tenantId: tenant, locationId, occurredAt, total, lines: [] });
  const totals = (from: string, to: string, locationZones: Record<string, string>) =>
    locationTotals(analytics, { tenantId: tenant, timezone: WARSAW, from, to, locationZones });
  const zones = { london: "Europe/London", krakow: "Europe/Warsaw" };

  beforeAll(async () => {
    await analytics.insertTransactions([
      // 31 May 23:30 in London is 1 June 00:30 in Warsaw.
      sale("london", "2024-05-31T23:30:00+01:00", 700),
      // 1 May 00:30 in Warsaw is still 30 April in London.
      sale("london", "2024-05-01T00:30:00+02:00", 300),
      // Without a zone of its own, and with the tenant's set as its own: Warsaw's days.
      sale("gdansk", "2024-05-31T23:30:00+02:00", 500),
      sale("krakow", "2024-06-01T00:30:00+02:00", 200),
    ]);
  });

  it("counts a location's sales on its own days, the others on the tenant's", async () => {
    expect(await totals("2024-05-01", "2024-05-31", zones)).toEqual([
      { locationId: "london", transactions: 1, refunds: 0, revenue: 700 },
      { locationId: "gdansk", transactions: 1, refunds: 0, revenue: 500 },
    ]);
    expect(await totals("2024-06-01", "2024-06-30", zones)).toEqual([
      { locationId: "krakow", transactions: 1, refunds: 0, revenue: 200 },
    ]);
    expect(await totals("2024-04-30", "2024-04-30", zones)).toEqual([
      { locationId: "london", transactions: 1, refunds: 0, revenue: 300 },
    ]);
  });

  it("counts every location on the tenant's days when none has a zone of its own", async () => {
    expect(await totals("2024-05-01", "2024-05-31", {})).toEqual([
      { locationId: "gdansk", transactions: 1, refunds: 0, revenue: 500 },
      { locationId: "london", transactions: 1, refunds: 0, revenue: 300 },
    ]);
  });
});
