import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, insertLoyaltyEvents, membersAtEnd } from "../src/index.ts";
import { tierChanged } from "./dashboard.fixtures.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// Members per tier when tier changes are recorded out of the order of their times: the calendar-year run lowers gold
// to silver as the new year opens, then an offline sale of 30 December, uploaded afterwards, restores gold at the
// sale's own time (the ledger's sale plan), and the ledger holds gold. Years two before the current one, Warsaw.

let analytics: Analytics & { dispose(): Promise<void> };
const WARSAW = "Europe/Warsaw";
const year = new Date().getUTCFullYear() - 2;

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

/**
 * Waits until ClickHouse's clock has passed the newest insert's time: events inserted after it are then recorded
 * later (`ingested_at`, the insert's millisecond), as a consumer batch that arrives after another is.
 */
async function afterLastInsert(): Promise<void> {
  const query = `SELECT now64(3) > (SELECT max(ingested_at) FROM ${analytics.database}.loyalty_events) AS passed`;
  for (;;) {
    const [row] = await (await analytics.client.query({ query, format: "JSONEachRow" })).json<{ passed: number }>();
    if (Number(row?.passed) === 1) return;
  }
}

describe("members per tier, tier changes recorded after later ones", () => {
  const tenant = uniqueId("tn_late_tier");
  const range = (from: string, to: string) => ({ tenantId: tenant, timezone: WARSAW, from, to });
  const tiersOf = async (from: string, to: string) =>
    (await membersAtEnd(analytics, range(from, to))).tiers.map((t) => [t.tier, t.members]);

  beforeAll(async () => {
    const lateSaleAt = `${year}-12-30T12:00:00+01:00`;
    const yearEndRun = `${year + 1}-01-01T00:05:00+01:00`;
    await analytics.insertTransactions([
      transactionFact({ tenantId: tenant, customerId: "cus_restored", occurredAt: lateSaleAt, lines: [] }),
      transactionFact({ tenantId: tenant, customerId: "cus_lowered", occurredAt: `${year}-12-20T12:00:00+01:00` }),
    ]);
    // Gold since March; the year-end run lowers both members.
    const lowered = (customer: string) => [
      {
        ...tierChanged(tenant, customer, `${year}-03-01T10:00:00+01:00`, "gold", "silver"),
        id: `tier:${customer}:tx_a`,
      },
      {
        ...tierChanged(tenant, customer, yearEndRun, "silver", "gold"),
        id: `tier:${customer}:down:${year}`,
        direction: "down" as const,
      },
    ];
    await insertLoyaltyEvents(analytics, [...lowered("cus_restored"), ...lowered("cus_lowered")]);
    await afterLastInsert();
    // Recorded after the run: the late sale's upgrade, at the sale's time.
    await insertLoyaltyEvents(analytics, [
      { ...tierChanged(tenant, "cus_restored", lateSaleAt, "gold", "silver"), id: "tier:cus_restored:tx_late" },
    ]);
  });

  it("puts a member whose late sale restored the tier after the year-end downgrade in the restored tier", async () => {
    expect(await tiersOf(`${year + 1}-01-01`, `${year + 1}-01-31`)).toEqual([
      ["gold", 1],
      ["silver", 1],
    ]);
  });

  it("still judges a past range by the changes' times: a downgrade after its end does not count", async () => {
    expect(await tiersOf(`${year}-12-01`, `${year}-12-31`)).toEqual([["gold", 2]]);
  });
});
