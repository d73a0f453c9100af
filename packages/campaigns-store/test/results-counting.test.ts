import { insertCampaignEvents, mergeCustomerRows } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignResults } from "../src/index.ts";
import { at, enrolledAt, enrolment, messageEvent, refundOf, saleOf, world } from "./results-fixtures.ts";

// What a campaign's figures count as one: a message that never went, a person with two accounts, a sale given back.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

describe("campaignResults counting", () => {
  it("counts messages cancelled before they went apart from failures, so the failure rate stays within 100%", async () => {
    const w = await world(db);
    const [e1, e2, e3, e4] = w.entered as [string, string, string, string];
    await insertCampaignEvents(analytics, [
      ...w.entered.map((c) => enrolment(w, c, "entered")),
      // Sent and delivered; sent and then bounced; refused by the provider.
      messageEvent(w, e1, "msg_ok", "message.sent"),
      messageEvent(w, e1, "msg_ok", "message.delivered"),
      messageEvent(w, e2, "msg_bounced", "message.sent"),
      messageEvent(w, e2, "msg_bounced", "message.failed", undefined, "bounced"),
      messageEvent(w, e3, "msg_refused", "message.failed", undefined, "rejected"),
      // Cancelled before sending, announced `message.failed` with the reason as the code.
      messageEvent(w, e4, "msg_consent", "message.failed", undefined, "no_consent"),
      messageEvent(w, e4, "msg_capped", "message.failed", undefined, "capped"),
      messageEvent(w, e4, "msg_ended", "message.failed", undefined, "cancelled"),
    ]);

    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results.messages).toEqual({
      reached: 4,
      sent: 2,
      attempted: 3,
      delivered: 1,
      opened: 0,
      clicked: 0,
      failed: 2,
      cancelled: 3,
    });
    expect(results.rates.failureRate).toBe(2 / 3);
    expect(results.rates.deliveryRate).toBe(1 / 2);
  });

  it("counts a customer whose merged accounts were entered and held out once, as entered, converting once", async () => {
    const w = await world(db);
    const [app] = w.entered as [string];
    const [till] = w.control as [string];
    await insertCampaignEvents(analytics, [enrolment(w, app, "entered"), enrolment(w, till, "control")]);
    await analytics.insertTransactions([saleOf(w.tenantId, till, at(enrolledAt, 2))]);
    await mergeCustomerRows(analytics, [{ tenantId: w.tenantId, mergedId: till, intoId: app }]);

    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results.reach).toEqual({ entered: 1, control: 0 });
    expect(results.messages.reached).toBe(1);
    expect(results.conversions.entered).toEqual({ customers: 1, converted: 1 });
    expect(results.conversions.control).toEqual({ customers: 0, converted: 0 });
  });

  it("takes no conversion from a sale refunded in full, and keeps one refunded in part", async () => {
    const w = await world(db);
    const [e1, e2, e3] = w.entered as [string, string, string];
    const [c1] = w.control as [string];
    await insertCampaignEvents(analytics, [
      ...[e1, e2, e3].map((c) => enrolment(w, c, "entered")),
      enrolment(w, c1, "control"),
    ]);
    const [whole, part, twice, held] = [e1, e2, e3, c1].map((c) => saleOf(w.tenantId, c, at(enrolledAt, 2))) as [
      ReturnType<typeof saleOf>,
      ReturnType<typeof saleOf>,
      ReturnType<typeof saleOf>,
      ReturnType<typeof saleOf>,
    ];
    await analytics.insertTransactions([
      whole,
      part,
      twice,
      held,
      refundOf(whole, whole.total, at(enrolledAt, 3)),
      refundOf(part, 500, at(enrolledAt, 3)),
      // Two refunds adding up to the whole sale take it back as one would.
      refundOf(twice, 700, at(enrolledAt, 3)),
      refundOf(twice, twice.total - 700, at(enrolledAt, 4)),
      refundOf(held, held.total, at(enrolledAt, 3)),
    ]);

    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results.conversions.entered).toEqual({ customers: 3, converted: 1 });
    expect(results.conversions.control).toEqual({ customers: 1, converted: 0 });
  });

  it("counts a sale paid wholly with points (total 0) as a conversion until it is refunded", async () => {
    const w = await world(db);
    const [kept, voided] = w.entered as [string, string];
    await insertCampaignEvents(analytics, [enrolment(w, kept, "entered"), enrolment(w, voided, "entered")]);
    const [paid, given] = [kept, voided].map((c) => ({ ...saleOf(w.tenantId, c, at(enrolledAt, 2)), total: 0 })) as [
      ReturnType<typeof saleOf>,
      ReturnType<typeof saleOf>,
    ];
    // Its refund gives no money back, so what was refunded cannot tell a void from no refund at all.
    await analytics.insertTransactions([paid, given, refundOf(given, 0, at(enrolledAt, 3))]);

    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results.conversions.entered).toEqual({ customers: 2, converted: 1 });
  });
});
