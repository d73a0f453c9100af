import { nextLocalTime } from "@regulars/campaigns";
import { setConsents } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { sendFailure } from "@regulars/messaging";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClaimedMessage,
  decideSends,
  queueCampaignMessage,
  recordFailure,
  recordHeld,
  recordSent,
  type SendDecision,
} from "../src/index.ts";
import {
  claimForTenant,
  messageCampaign,
  messageCustomer,
  messageTemplate,
  messageTenant,
  queueCampaignSms,
  stepKeyOf,
  yearAhead,
} from "./fixtures.ts";

// A queued message takes a cap's slot only if it will go: one the check refuses (consent withdrawn, no address)
// takes none, one its quiet hours hold takes the slot when they end, not now, one that failed before at its next
// attempt. A message a queued one keeps out waits for it rather than being cancelled: it may still fail for good.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const minute = 60_000;
const hour = 60 * minute;
const outcome = (d: SendDecision | undefined) => (d?.action === "cancel" ? `cancel:${d.code}` : d?.action);

/** The decisions of a claim, by message id: one `decideSends` per channel, as the sender groups them. */
async function decidedByChannel(claimed: ClaimedMessage[], now: Date) {
  const channels = [...new Set(claimed.map((m) => m.channel))];
  const groups = channels.map((channel) => claimed.filter((m) => m.channel === channel));
  const decisions = await Promise.all(groups.map((group) => decideSends(db, group, { now })));
  return new Map(groups.flatMap((group, g) => group.map((m, i) => [m.id, decisions[g]![i]!] as const)));
}

describe("cap slots of messages that will not go now", () => {
  it("an e-mail whose consent was withdrawn leaves the slot to a later SMS, in its claim or another", async () => {
    const now = yearAhead();
    const { tenantId } = await messageTenant(db, "Slot Consent Grill");
    const campaignId = await messageCampaign(db, tenantId, {
      limits: { frequencyCaps: [{ max: 1, windowHours: 24 }] },
    });
    const email = await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
    ]);
    const sms = await messageTemplate(db, tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]);
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com", phone: "+48600100200" });
    const { messageId: early } = await withTransaction(db, (tx) =>
      queueCampaignMessage(tx, {
        tenantId,
        campaignId,
        customerId,
        stepKey: stepKeyOf(),
        templateId: email,
        channel: "email",
        sendAt: new Date(now.getTime() - 2 * minute),
      }),
    );
    const later = await queueCampaignSms(db, {
      tenantId,
      campaignId,
      templateId: sms,
      customerId,
      sendAt: new Date(now.getTime() - minute),
    });
    await setConsents(
      db,
      tenantId,
      customerId,
      { consents: [{ channel: "email", purpose: "marketing", granted: false }] },
      { actor: "key_app", source: "app", now: new Date() },
    );
    const claimed = await claimForTenant(db, tenantId, now);
    expect(claimed.map((m) => m.id).sort()).toEqual([early, later].sort());

    // Decided apart, as the sender's channel groups are: the e-mail is in another claim.
    const apart = await decidedByChannel(claimed, now);
    expect(outcome(apart.get(early!))).toBe("cancel:no_consent");
    expect(outcome(apart.get(later))).toBe("send");
    // Decided together, the same.
    const together = await decideSends(db, claimed, { now });
    expect(together.map(outcome)).toEqual(claimed.map((m) => (m.id === early ? "cancel:no_consent" : "send")));
  });

  it("an SMS to a customer without a phone any more leaves the slot to a later e-mail", async () => {
    const now = yearAhead();
    const { tenantId } = await messageTenant(db, "Slot Address Grill");
    const campaignId = await messageCampaign(db, tenantId, {
      limits: { frequencyCaps: [{ max: 1, windowHours: 24 }] },
    });
    const sms = await messageTemplate(db, tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]);
    const email = await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
    ]);
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com", phone: "+48600100200" });
    const early = await queueCampaignSms(db, {
      tenantId,
      campaignId,
      templateId: sms,
      customerId,
      sendAt: new Date(now.getTime() - 2 * minute),
    });
    const { messageId: later } = await withTransaction(db, (tx) =>
      queueCampaignMessage(tx, {
        tenantId,
        campaignId,
        customerId,
        stepKey: stepKeyOf(),
        templateId: email,
        channel: "email",
        sendAt: new Date(now.getTime() - minute),
      }),
    );
    await db.customer.update({ where: { id: customerId }, data: { phone: null } });
    const decided = await decidedByChannel(await claimForTenant(db, tenantId, now), now);
    expect(outcome(decided.get(early))).toBe("cancel:no_address");
    expect(outcome(decided.get(later!))).toBe("send");
  });

  describe("a message held by its quiet hours takes its slot when they end", () => {
    // 22:00 in Warsaw (the tenant's zone), a year ahead: campaign X is quiet from 21:00 to 08:00, so its message
    // due two minutes ago waits about ten hours. Campaign Y's message, due a minute ago, may go now unless a
    // message planned before it goes within its cap's window.
    const now = nextLocalTime(yearAhead().getTime(), 22 * 60, "Europe/Warsaw");

    async function twoCampaigns(windowHours: number) {
      const { tenantId } = await messageTenant(db, "Slot Quiet Grill");
      const quiet = await messageCampaign(db, tenantId, {
        delivery: { timing: { at: "immediately" }, zone: "tenant", quietHours: { start: "21:00", end: "08:00" } },
      });
      const capped = await messageCampaign(db, tenantId, {
        limits: { frequencyCaps: [{ max: 1, windowHours }] },
      });
      const templateId = await messageTemplate(db, tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]);
      const customerId = await messageCustomer(db, tenantId, { phone: "+48600100200" });
      const sendAt = (ago: number) => new Date(now.getTime() - ago);
      const held = await queueCampaignSms(db, {
        tenantId,
        campaignId: quiet,
        templateId,
        customerId,
        sendAt: sendAt(2 * minute),
      });
      const due = await queueCampaignSms(db, {
        tenantId,
        campaignId: capped,
        templateId,
        customerId,
        sendAt: sendAt(minute),
      });
      const claimed = await claimForTenant(db, tenantId, now);
      const decisions = await decideSends(db, claimed, { now });
      const of = (id: string) => decisions[claimed.findIndex((m) => m.id === id)];
      return { held: of(held), due: of(due) };
    }

    it("so a later message whose window ends before then goes now", async () => {
      const { held, due } = await twoCampaigns(1);
      expect(held).toMatchObject({ action: "hold" });
      expect((held as { until: Date }).until.getTime()).toBeGreaterThan(now.getTime() + 8 * hour);
      expect(outcome(due)).toBe("send");
    });

    it("and a later message whose window holds its end waits for it: the earlier planned keeps the slot", async () => {
      const { held, due } = await twoCampaigns(12);
      expect(held).toMatchObject({ action: "hold" });
      expect(due).toEqual({ action: "hold", until: (held as { until: Date }).until });
    });
  });
});

describe("a retrying message does not cancel another campaign's message", () => {
  // Two campaigns allow one message a day each, on any channel. Campaign 1's SMS, planned ten minutes ago, was
  // refused five times (503) and is tried again in half an hour; campaign 2's e-mail is due now.
  async function retryingAndDue() {
    const now = yearAhead();
    const { tenantId } = await messageTenant(db, "Slot Retry Grill");
    const oneADay = { limits: { frequencyCaps: [{ max: 1, windowHours: 24 }] } };
    const [first, second] = [
      await messageCampaign(db, tenantId, oneADay),
      await messageCampaign(db, tenantId, oneADay),
    ];
    const sms = await messageTemplate(db, tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]);
    const email = await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
    ]);
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com", phone: "+48600100200" });
    const retrying = await queueCampaignSms(db, {
      tenantId,
      campaignId: first,
      templateId: sms,
      customerId,
      sendAt: new Date(now.getTime() - 10 * minute),
    });
    const retryAt = new Date(now.getTime() + 30 * minute);
    await db.message.update({
      where: { id: retrying },
      data: { attempts: 5, nextAttemptAt: retryAt, lastError: "provider_error: 503" },
    });
    const { messageId: due } = await withTransaction(db, (tx) =>
      queueCampaignMessage(tx, {
        tenantId,
        campaignId: second,
        customerId,
        stepKey: stepKeyOf(),
        templateId: email,
        channel: "email",
        sendAt: now,
      }),
    );

    // Now only the e-mail is due: it waits for the SMS's next attempt instead of being cancelled.
    const [claimedDue, ...rest] = await claimForTenant(db, tenantId, now);
    expect([claimedDue!.id, rest]).toEqual([due, []]);
    const [waits] = await decideSends(db, [claimedDue!], { now });
    expect(waits).toEqual({ action: "hold", until: retryAt });
    await recordHeld(db, claimedDue!, retryAt);

    // At the retry both are due; the sender decides each channel apart. The SMS goes, the e-mail waits for its result.
    const claimed = await claimForTenant(db, tenantId, retryAt);
    const decided = await decidedByChannel(claimed, retryAt);
    const smsClaim = claimed.find((m) => m.id === retrying)!;
    expect(outcome(decided.get(retrying))).toBe("send");
    expect(decided.get(due!)).toMatchObject({ action: "hold" });
    const smsSend = decided.get(retrying) as Extract<SendDecision, { action: "send" }>;
    const afterLease = new Date(retryAt.getTime() + 2 * minute);
    const emailAfterSms = async () => {
      const again = await claimForTenant(db, tenantId, afterLease);
      expect(again.map((m) => m.id)).toEqual([due]);
      return outcome((await decideSends(db, again, { now: afterLease }))[0]);
    };
    return { smsClaim, smsSend, emailAfterSms, retryAt };
  }

  it("when the SMS then fails for good, the e-mail goes out", async () => {
    const { smsClaim, smsSend, emailAfterSms, retryAt } = await retryingAndDue();
    const refused = sendFailure("provider_error", "503", { status: 503 });
    const recorded = await recordFailure(db, smsClaim, smsSend.message, "http-sms", refused, { now: retryAt });
    expect(recorded.outcome).toBe("failed");
    expect(await emailAfterSms()).toBe("send");
  });

  it("when the SMS is sent, the e-mail is cancelled as capped", async () => {
    const { smsClaim, smsSend, emailAfterSms, retryAt } = await retryingAndDue();
    expect((await recordSent(db, smsClaim, smsSend.message, "http-sms", "gw-1", retryAt)).outcome).toBe("sent");
    expect(await emailAfterSms()).toBe("cancel:capped");
  });
});
