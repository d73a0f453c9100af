import { testAnalytics } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Analytics,
  insertLoyaltyEvents,
  insertVoidedTransactions,
  membersAtEnd,
  mergeCustomerRows,
  type TransactionFact,
} from "../src/index.ts";
import { pointsEarned, pointsRedeemed, tierChanged } from "./dashboard.fixtures.ts";
import { transactionFact, uniqueId } from "./fixtures.ts";

// Active members per tier and their points, as of the end of the range, where a member's tier changed after
// their sale, where a till's customer was merged into an app account (fixed past days in May 2024, Warsaw) and
// where refunds voided a sale (days before today).

let analytics: Analytics & { dispose(): Promise<void> };
const WARSAW = "Europe/Warsaw";

beforeAll(async () => {
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
});

const sale = (tenantId: string, customerId: string, occurredAt: string) =>
  transactionFact({ tenantId, customerId, occurredAt, lines: [] });

describe("members per tier", () => {
  it("puts a member in the tier held at the end of the range, not the one held at the sale", async () => {
    const tenant = uniqueId("tn_tier_now");
    await analytics.insertTransactions([sale(tenant, "cus_1", "2024-05-02T10:00:00Z")]);
    await insertLoyaltyEvents(analytics, [
      tierChanged(tenant, "cus_1", "2024-04-01T10:00:00Z", "silver"),
      // Reached by a bonus, without a sale, after the member's last sale.
      tierChanged(tenant, "cus_1", "2024-05-20T10:00:00Z", "gold", "silver"),
    ]);
    const range = { tenantId: tenant, timezone: WARSAW, from: "2024-05-01" };
    const atEnd = await membersAtEnd(analytics, { ...range, to: "2024-05-31" });
    expect(atEnd.tiers.map((t) => [t.tier, t.members])).toEqual([["gold", 1]]);
    const before = await membersAtEnd(analytics, { ...range, to: "2024-05-10" });
    expect(before.tiers.map((t) => [t.tier, t.members])).toEqual([["silver", 1]]);
  });
});

describe("members' points after a merge", () => {
  const tenant = uniqueId("tn_merge");
  beforeAll(async () => {
    // A till's customer earned 100 and spent 30; merged into an app account that earned 50, its balance of 70
    // moved in as a transfer. Its facts then move to the app account too.
    await analytics.insertTransactions([
      sale(tenant, "cus_till", "2024-05-02T10:00:00Z"),
      sale(tenant, "cus_app", "2024-05-03T10:00:00Z"),
    ]);
    await insertLoyaltyEvents(analytics, [
      pointsEarned(tenant, "cus_till", "2024-05-02T10:00:00Z", 100),
      pointsRedeemed(tenant, "cus_till", "2024-05-04T10:00:00Z", 30),
      pointsEarned(tenant, "cus_app", "2024-05-03T10:00:00Z", 50),
      pointsEarned(tenant, "cus_app", "2024-05-10T10:00:00Z", 70, { movementKind: "transfer_in" }),
    ]);
    await mergeCustomerRows(analytics, [{ tenantId: tenant, mergedId: "cus_till", intoId: "cus_app" }]);
  });

  it("counts the merged customer's points once: its history moved to the survivor, not its transfer again", async () => {
    const members = await membersAtEnd(analytics, {
      tenantId: tenant,
      timezone: WARSAW,
      from: "2024-05-01",
      to: "2024-05-31",
    });
    expect(members).toMatchObject({ activeMembers: 1, averagePoints: 100 - 30 + 50 });
  });
});

describe("members per tier after a merge", () => {
  it("puts the survivor in its own tier, even when the merged customer's tier changed later", async () => {
    const tenant = uniqueId("tn_merge_tier");
    await analytics.insertTransactions([
      sale(tenant, "cus_till", "2024-05-02T10:00:00Z"),
      sale(tenant, "cus_app", "2024-05-03T10:00:00Z"),
    ]);
    // Tier events' ids name the customer they were published for (`tier:<customer>:…`), as the ledger builds them.
    await insertLoyaltyEvents(analytics, [
      { ...tierChanged(tenant, "cus_app", "2024-05-03T10:00:00Z", "gold"), id: "tier:cus_app:tx_app" },
      { ...tierChanged(tenant, "cus_till", "2024-05-12T10:00:00Z", "silver"), id: "tier:cus_till:tx_till" },
    ]);
    await mergeCustomerRows(analytics, [{ tenantId: tenant, mergedId: "cus_till", intoId: "cus_app" }]);
    const members = await membersAtEnd(analytics, {
      tenantId: tenant,
      timezone: WARSAW,
      from: "2024-05-01",
      to: "2024-05-31",
    });
    expect(members.tiers.map((t) => [t.tier, t.members])).toEqual([["gold", 1]]);
  });

  it("keeps the merged customer's tier for a survivor without one of its own, as the ledger adopts it", async () => {
    const tenant = uniqueId("tn_merge_adopt");
    await analytics.insertTransactions([
      sale(tenant, "cus_till", "2024-05-02T10:00:00Z"),
      sale(tenant, "cus_app", "2024-05-03T10:00:00Z"),
    ]);
    await insertLoyaltyEvents(analytics, [
      { ...tierChanged(tenant, "cus_till", "2024-04-12T10:00:00Z", "silver"), id: "tier:cus_till:tx_1" },
      { ...tierChanged(tenant, "cus_till", "2024-05-02T10:00:00Z", "gold", "silver"), id: "tier:cus_till:tx_2" },
    ]);
    await mergeCustomerRows(analytics, [{ tenantId: tenant, mergedId: "cus_till", intoId: "cus_app" }]);
    const members = await membersAtEnd(analytics, {
      tenantId: tenant,
      timezone: WARSAW,
      from: "2024-05-01",
      to: "2024-05-31",
    });
    expect(members.tiers.map((t) => [t.tier, t.members])).toEqual([["gold", 1]]);
  });
});

describe("members whose sales their refunds voided", () => {
  // A sale refunded in full counts as no order (`voided_transactions`, as the profile writer records it), so it
  // makes no one active; a partial refund leaves an order. Days before today, in Warsaw.
  const tenant = uniqueId("tn_voided");
  const hour = 3_600_000;
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const today = new Date().toLocaleDateString("en-CA", { timeZone: WARSAW });
  const paid = (customerId: string, at: number, total: number, points: number) =>
    transactionFact({ tenantId: tenant, customerId, occurredAt: ago(at), lines: [], total, points });
  const refund = (of: TransactionFact, at: number, total: number, points: number) =>
    transactionFact({
      tenantId: tenant,
      customerId: of.customerId,
      occurredAt: ago(at),
      lines: [],
      type: "refund",
      refundOf: of.externalId,
      total,
      points,
    });

  beforeAll(async () => {
    const fiveDays = 5 * 24 * hour;
    const voidedOnly = paid("cus_v", fiveDays, 1000, 10);
    const voidedOnlyRefund = refund(voidedOnly, fiveDays - hour, 1000, -10);
    const partial = paid("cus_part", fiveDays, 1000, 10);
    const voidedBeside = paid("cus_both", fiveDays, 1000, 10);
    const voidedBesideRefund = refund(voidedBeside, fiveDays - hour, 1000, -10);
    const kept = paid("cus_both", 2 * 24 * hour, 500, 20);
    await analytics.insertTransactions([
      voidedOnly,
      voidedOnlyRefund,
      partial,
      refund(partial, fiveDays - hour, 400, -4),
      voidedBeside,
      voidedBesideRefund,
      kept,
    ]);
    await insertVoidedTransactions(
      analytics,
      [voidedOnly, voidedOnlyRefund, voidedBeside, voidedBesideRefund].map((t) => ({
        tenantId: tenant,
        transactionId: t.transactionId,
      })),
    );
    const earnedOn = (t: TransactionFact) =>
      pointsEarned(tenant, t.customerId ?? "", t.occurredAt, t.points, { transactionId: t.transactionId });
    await insertLoyaltyEvents(analytics, [
      // Points from long before the window keep cus_v's balance above nothing, so counting it would move the mean.
      pointsEarned(tenant, "cus_v", ago(400 * 24 * hour), 30),
      tierChanged(tenant, "cus_v", ago(400 * 24 * hour), "gold"),
      ...[voidedOnly, partial, voidedBeside, kept].map(earnedOn),
      tierChanged(tenant, "cus_part", ago(fiveDays), "silver"),
      tierChanged(tenant, "cus_both", ago(fiveDays), "bronze"),
    ]);
  });
  // Each member holds a tier of their own, so a tier's row tells whether that member counted.
  const tiers = async () => {
    const members = await membersAtEnd(analytics, { tenantId: tenant, timezone: WARSAW, from: today, to: today });
    return new Map(members.tiers.map((t) => [t.tier, [t.members, t.averagePoints]]));
  };

  it("counts no member active whose only sale in the window its refund voided", async () => {
    expect((await tiers()).has("gold")).toBe(false);
  });

  it("counts a member active whose sale was only partly refunded, with what the refund left", async () => {
    expect((await tiers()).get("silver")).toEqual([1, 10 - 4]);
  });

  it("counts a member active with another sale beside a voided one", async () => {
    expect((await tiers()).get("bronze")).toEqual([1, 10 - 10 + 20]);
  });

  it("leaves the voided sale's member out of the active count and the mean balance", async () => {
    const members = await membersAtEnd(analytics, { tenantId: tenant, timezone: WARSAW, from: today, to: today });
    expect(members).toMatchObject({ activeMembers: 2, averagePoints: (6 + 20) / 2 });
  });
});
