import { insertCampaignEvents, insertLoyaltyEvents } from "@regulars/analytics";
import { conversionUplift } from "@regulars/campaigns";
import type { LoyaltyEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { campaignResults } from "../src/index.ts";
import { domainError } from "./admin-fixtures.ts";
import { at, enrolledAt, enrolment, messageEvent, saleOf, type World, world } from "./results-fixtures.ts";

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

const redeemed = (w: World, customerId: string, when: Date, more: Partial<LoyaltyEvent> = {}): LoyaltyEvent =>
  ({
    type: "coupon.redeemed",
    id: newId("event"),
    tenantId: w.tenantId,
    customerId,
    occurredAt: when.toISOString(),
    campaignId: w.couponCampaignId,
    code: `FRY-${customerId.slice(-4)}`,
    discount: 300,
    transactionId: newId("transaction"),
    returned: false,
    ...more,
  }) as LoyaltyEvent;

/** A done issue_coupon step and the wallet coupon it issued under its key, as the runner leaves them. */
async function couponStep(w: World, customerId: string) {
  const enrolmentId = newId("event");
  await db.campaignEnrolment.create({
    data: {
      id: enrolmentId,
      tenantId: w.tenantId,
      campaignId: w.campaignId,
      version: 1,
      customerId,
      occurrence: "registered",
      occurredAt: enrolledAt,
      outcome: "entered",
    },
  });
  const key = `cst_${newId("event")}`;
  await db.campaignStep.create({
    data: {
      key,
      tenantId: w.tenantId,
      campaignId: w.campaignId,
      enrolmentId,
      customerId,
      stepIndex: 0,
      action: { type: "issue_coupon", couponCampaignId: w.couponCampaignId },
      runAt: enrolledAt,
      status: "done",
      doneAt: enrolledAt,
    },
  });
  await db.walletCoupon.create({
    data: {
      id: newId("walletCoupon"),
      tenantId: w.tenantId,
      customerId,
      campaignId: w.couponCampaignId,
      code: `FRY-${customerId.slice(-4)}`,
      issueKey: key,
      issuedBy: w.campaignId,
    },
  });
}

describe("campaignResults", () => {
  it("counts reach, messages, coupons and conversions against the control group, each event once", async () => {
    const w = await world(db);
    const [e1, e2, e3, e4] = w.entered as [string, string, string, string];
    const [c1] = w.control as [string, string];
    const enrolments = [
      ...w.entered.map((c) => enrolment(w, c, "entered")),
      ...w.control.map((c) => enrolment(w, c, "control")),
    ];
    // m1 went out on its second attempt (two sent events, one message); the provider refused m4, never sent.
    const messages = [
      messageEvent(w, e1, "msg_1", "message.sent"),
      messageEvent(w, e1, "msg_1", "message.sent", "sent-again:msg_1"),
      messageEvent(w, e2, "msg_2", "message.sent"),
      messageEvent(w, e3, "msg_3", "message.sent"),
      messageEvent(w, e1, "msg_1", "message.delivered"),
      messageEvent(w, e2, "msg_2", "message.delivered"),
      messageEvent(w, e3, "msg_3", "message.delivered"),
      messageEvent(w, e1, "msg_1", "message.opened"),
      messageEvent(w, e2, "msg_2", "message.opened"),
      messageEvent(w, e1, "msg_1", "message.clicked"),
      // An SMS has no open pixel: its tracked link's click is the proof it was opened.
      messageEvent(w, e3, "msg_3", "message.clicked"),
      messageEvent(w, e4, "msg_4", "message.failed"),
    ];
    await insertCampaignEvents(analytics, [...enrolments, ...messages]);
    // A redelivered batch: the same events again, in another make-up.
    await insertCampaignEvents(analytics, [enrolments[0]!, messages[2]!, messages[9]!, messages[10]!, enrolments[4]!]);

    // e1 buys within the window (twice), e2 after it, e3 only before enrolling; c1 buys within it, c2 never.
    await analytics.insertTransactions([
      saleOf(w.tenantId, e1, at(enrolledAt, 2)),
      saleOf(w.tenantId, e1, at(enrolledAt, 3)),
      saleOf(w.tenantId, e2, at(enrolledAt, 20)),
      saleOf(w.tenantId, e3, at(enrolledAt, -1)),
      saleOf(w.tenantId, c1, at(enrolledAt, 1)),
    ]);

    await couponStep(w, e1);
    await couponStep(w, e2);
    const e1Use = redeemed(w, e1, at(enrolledAt, 2));
    const e2Use = redeemed(w, e2, at(enrolledAt, 2));
    await insertLoyaltyEvents(analytics, [
      e1Use,
      e2Use,
      // e2's sale was refunded: the use was given back.
      redeemed(w, e2, at(enrolledAt, 3), { returned: true }),
      // Not this campaign's: a control customer, another coupon campaign, a use before entering.
      redeemed(w, c1, at(enrolledAt, 2)),
      redeemed(w, e3, at(enrolledAt, 2), { campaignId: "cpn_other" }),
      redeemed(w, e4, at(enrolledAt, -2)),
    ]);
    await insertLoyaltyEvents(analytics, [e1Use]);

    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results).toEqual({
      campaignId: w.campaignId,
      conversionDays: 14,
      reach: { entered: 4, control: 2 },
      // Four messages were handed to the provider: three it took, one it refused. The failure rate is out of those
      // four attempts, not out of the three sent (a refused message is no part of what was sent).
      messages: { reached: 4, sent: 3, attempted: 4, delivered: 3, opened: 3, clicked: 2, failed: 1, cancelled: 0 },
      rates: { deliveryRate: 1, openRate: 1, clickRate: 2 / 3, clickToOpenRate: 2 / 3, failureRate: 1 / 4 },
      skipped: { total: 0, byReason: {} },
      coupons: { issued: 2, redeemed: 1 },
      conversions: {
        entered: { customers: 4, converted: 1 },
        control: { customers: 2, converted: 1 },
        uplift: conversionUplift({ customers: 4, converted: 1 }, { customers: 2, converted: 1 }),
      },
    });
    expect(results.conversions.uplift.absoluteUplift).toBeCloseTo(-0.25);

    // A longer window takes e2's later sale in.
    const longer = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 30 });
    expect(longer.conversions.entered).toEqual({ customers: 4, converted: 2 });
  });

  it("leaves an enrolment corrected skipped out of reach, conversions and redemptions, though its entered event comes again", async () => {
    const w = await world(db);
    const [e1, e2] = w.entered as [string, string];
    const entered = [enrolment(w, e1, "entered"), enrolment(w, e2, "entered")];
    const correction = { ...enrolment(w, e2, "skipped"), id: `enrolled:${w.campaignId}:${e2}:skipped` };
    await insertCampaignEvents(analytics, entered);
    await insertCampaignEvents(analytics, [correction]);
    await insertCampaignEvents(analytics, entered);
    // Both bought and used the coupon within the window: only e1's count.
    await analytics.insertTransactions([e1, e2].map((c) => saleOf(w.tenantId, c, at(enrolledAt, 2))));
    await insertLoyaltyEvents(analytics, [redeemed(w, e1, at(enrolledAt, 2)), redeemed(w, e2, at(enrolledAt, 2))]);

    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results).toMatchObject({
      reach: { entered: 1, control: 0 },
      coupons: { redeemed: 1 },
      conversions: { entered: { customers: 1, converted: 1 } },
    });
  });

  it("gives zeros and no rates for a campaign without events, and refuses another tenant's campaign", async () => {
    const w = await world(db);
    const other = await world(db);
    await insertCampaignEvents(analytics, [enrolment(other, other.entered[0]!, "entered")]);
    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 7 });
    expect(results.reach).toEqual({ entered: 0, control: 0 });
    expect(results.messages).toEqual({
      reached: 0,
      sent: 0,
      attempted: 0,
      delivered: 0,
      opened: 0,
      clicked: 0,
      failed: 0,
      cancelled: 0,
    });
    expect(results.rates.deliveryRate).toBeNull();
    expect(results.conversions.uplift).toMatchObject({ treatedRate: null, controlRate: null, absoluteUplift: null });
    expect(
      (await domainError(campaignResults({ db, analytics }, w.tenantId, other.campaignId, { conversionDays: 7 }))).code,
    ).toBe("not_found");
    const bad = await domainError(campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 0 }));
    expect(bad.issues).toEqual([{ path: "conversionDays", message: expect.any(String) }]);
  });
});
