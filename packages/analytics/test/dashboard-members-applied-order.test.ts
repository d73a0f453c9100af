import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Analytics, insertLoyaltyEvents, membersAtEnd } from "../src/index.ts";
import { tierChanged } from "./dashboard.fixtures.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// Members per tier when the ledger applied a member's tier changes in another order than their times, and one
// consumer batch stored them in one insert (one `ingested_at`). Fixed past days in May 2024, Los Angeles.

let analytics: Analytics & { dispose(): Promise<void> };
const LA = "America/Los_Angeles";

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

/** A tier change as the ledger stamps it when it applies it (`appliedAt`, `appliedIndex`). */
const applied = (
  event: ReturnType<typeof tierChanged>,
  appliedAt: string,
  appliedIndex = 0,
  direction: "up" | "down" = "up",
) => ({ ...event, id: `tier:${event.customerId}:${uniqueId("tx")}`, appliedAt, appliedIndex, direction });

async function tiersAtEnd(tenantId: string): Promise<[string | null, number][]> {
  const members = await membersAtEnd(analytics, { tenantId, timezone: LA, from: "2024-05-01", to: "2024-05-31" });
  return members.tiers.map((t) => [t.tier, t.members]);
}

describe("members per tier in the order the ledger applied the changes", () => {
  it("puts a member whose upload of a sale two days old raised the tier after today's sale in that tier", async () => {
    const tenant = uniqueId("tn_applied_late");
    await analytics.insertTransactions([
      transactionFact({ tenantId: tenant, customerId: "cus_1", occurredAt: "2024-05-20T10:00:00Z", lines: [] }),
    ]);
    await insertLoyaltyEvents(analytics, [
      // Today's live sale: silver, applied first.
      applied(tierChanged(tenant, "cus_1", "2024-05-20T09:59:00Z", "silver", "bronze"), "2024-05-20T10:00:01.000100Z"),
      // The till's upload of a sale two days old, applied next: gold, at the old sale's time.
      applied(tierChanged(tenant, "cus_1", "2024-05-18T10:00:00Z", "gold", "silver"), "2024-05-20T10:00:01.250000Z"),
    ]);
    expect(await tiersAtEnd(tenant)).toEqual([["gold", 1]]);
  });

  it("puts a member whose sale a refund dated a minute before it took back, in one batch, back", async () => {
    const tenant = uniqueId("tn_applied_refund");
    await analytics.insertTransactions([
      transactionFact({ tenantId: tenant, customerId: "cus_1", occurredAt: "2024-05-20T10:00:00Z", lines: [] }),
    ]);
    const at = "2024-05-20T10:00:05.123456Z";
    await insertLoyaltyEvents(analytics, [
      applied(tierChanged(tenant, "cus_1", "2024-05-20T10:00:00Z", "silver", "bronze"), at, 0),
      applied(tierChanged(tenant, "cus_1", "2024-05-20T09:59:00Z", "bronze", "silver"), at, 1, "down"),
    ]);
    expect(await tiersAtEnd(tenant)).toEqual([["bronze", 1]]);
  });

  it("ranks changes stored before the ledger stamped them below a stamped one, whatever their times", async () => {
    const tenant = uniqueId("tn_applied_legacy");
    await analytics.insertTransactions([
      transactionFact({ tenantId: tenant, customerId: "cus_1", occurredAt: "2024-05-20T10:00:00Z", lines: [] }),
    ]);
    await insertLoyaltyEvents(analytics, [
      { ...tierChanged(tenant, "cus_1", "2024-05-19T10:00:00Z", "gold", "silver"), id: "tier:cus_1:tx_old" },
      applied(tierChanged(tenant, "cus_1", "2024-05-18T10:00:00Z", "silver", "gold"), "2024-05-20T10:00:00.000001Z"),
    ]);
    expect(await tiersAtEnd(tenant)).toEqual([["silver", 1]]);
  });
});
