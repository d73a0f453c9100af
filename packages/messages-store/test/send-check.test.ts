import { setConsents, updateProfile } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClaimedMessage,
  claimDueMessages,
  decideSend,
  decideSends,
  queueCampaignMessage,
  recordSent,
} from "../src/index.ts";
import { messageCampaign, messageCustomer, messageTemplate, messageTenant, stepKeyOf, yearAhead } from "./fixtures.ts";

// The check right before sending, on its own: caps between queued messages, the address as it is now.

let db: Db;
const ahead = yearAhead();
const at = (minutes: number) => new Date(ahead.getTime() + minutes * 60_000);

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function setup(caps: object[] = []) {
  const { tenantId } = await messageTenant(db, "Check Grill");
  const campaignId = await messageCampaign(db, tenantId, { limits: { frequencyCaps: caps } });
  const email = await messageTemplate(db, tenantId, "email", [
    { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
  ]);
  const queue = async (customerId: string, sendAt: Date, campaign = campaignId) =>
    (
      await withTransaction(db, (tx) =>
        queueCampaignMessage(tx, {
          tenantId,
          campaignId: campaign,
          customerId,
          stepKey: stepKeyOf(),
          templateId: email,
          channel: "email",
          sendAt,
        }),
      )
    ).messageId!;
  // Each look claims again a minute later: the previous claim's one-second lease is over by then.
  let minute = 600;
  const claimed = async (id: string): Promise<ClaimedMessage> => {
    const now = at(++minute);
    const all = await claimDueMessages(db, { now, limit: 100, leaseMs: 1_000, tenantIds: [tenantId] });
    return all.find((m) => m.id === id)!;
  };
  return { tenantId, queue, claimed };
}

describe("decideSend", () => {
  it("lets the earlier of two capped messages go; the later waits for it, then is refused", async () => {
    const { tenantId, queue, claimed } = await setup([{ max: 1, windowHours: 24 }]);
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const earlier = await queue(customerId, at(10));
    const later = await queue(customerId, at(20));
    // Checked by the real clock, a year before either is due: the later waits until the earlier goes.
    expect(await decideSend(db, await claimed(later))).toEqual({ action: "hold", until: at(10) });
    const first = await claimed(earlier);
    const goes = await decideSend(db, first);
    expect(goes).toMatchObject({ action: "send" });
    if (goes.action === "send") await recordSent(db, first, goes.message, "smtp", "smtp-1", at(10));
    expect(await decideSend(db, await claimed(later))).toMatchObject({ action: "cancel", code: "capped" });
  });

  it("sends to the address the customer has now, and to nobody once they are erased", async () => {
    const { tenantId, queue, claimed } = await setup();
    const customerId = await messageCustomer(db, tenantId, { email: "old@example.com" });
    const id = await queue(customerId, at(10));
    expect((await db.message.findUniqueOrThrow({ where: { id } })).toAddress).toBe("old@example.com");
    await updateProfile(
      db,
      tenantId,
      customerId,
      { email: "new@example.com", phoneVerified: false },
      { actor: "key_app", source: "app", now: new Date() },
    );
    expect(await decideSend(db, await claimed(id))).toMatchObject({
      action: "send",
      message: { to: "new@example.com", subject: "Hi", id },
    });
    await db.customer.update({ where: { id: customerId }, data: { erasedAt: new Date() } });
    expect(await decideSend(db, await claimed(id))).toMatchObject({ action: "cancel", code: "no_address" });
  });

  it("decides a whole claim at once as it decides each message alone: caps, consent, address per customer", async () => {
    const { tenantId, queue, claimed } = await setup([{ max: 1, windowHours: 24 }]);
    const ada = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const bob = await messageCustomer(db, tenantId, { email: "bob@example.com" });
    const eve = await messageCustomer(db, tenantId, { email: "eve@example.com" });
    const ids = [
      await queue(ada, at(10)),
      await queue(ada, at(20)),
      await queue(bob, at(15)),
      await queue(eve, at(12)),
    ];
    await db.customer.update({ where: { id: eve }, data: { email: null } });
    const batch: ClaimedMessage[] = [];
    for (const id of ids) batch.push(await claimed(id));
    const together = await decideSends(db, batch);
    const alone = [];
    for (const m of batch) alone.push(await decideSend(db, m));
    expect(together.map((d) => (d.action === "cancel" ? d.code : d.action))).toEqual([
      "send",
      "hold",
      "send",
      "no_address",
    ]);
    expect(together).toEqual(alone);
  });

  it("counts a message sent late when it went out, and checks one going late at the moment it goes", async () => {
    // Cap 1 a day. A was planned 26 hours ago (its campaign was paused since); B, of another campaign, went out half
    // an hour ago. Resumed, A would go now: 30 minutes after B, whatever their planned times say.
    const { tenantId, queue } = await setup([{ max: 1, windowHours: 24 }]);
    const other = await messageCampaign(db, tenantId);
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const now = at(3_000);
    const late = await queue(customerId, new Date(now.getTime() - 26 * 3_600_000));
    const sent = await queue(customerId, new Date(now.getTime() - 30 * 60_000), other);
    await db.message.update({
      where: { id: sent },
      data: { status: "sent", sentAt: new Date(now.getTime() - 30 * 60_000) },
    });
    const claimed = await claimDueMessages(db, { now, limit: 10, leaseMs: 60_000, tenantIds: [tenantId] });
    expect(claimed.map((m) => m.id)).toEqual([late]);
    expect(await decideSends(db, claimed, { now })).toMatchObject([{ action: "cancel", code: "capped" }]);
  });

  it("a campaign choosing its audience from behaviour needs profiling consent on the channel at send time", async () => {
    const { tenantId, queue, claimed } = await setup();
    const segmentCampaign = await messageCampaign(db, tenantId, {
      audience: { kind: "segment", segmentId: "seg_veg" },
      trigger: { type: "broadcast", schedule: { repeat: "once", at: at(0).toISOString() } },
    });
    // Marketing by e-mail granted, profiling never: planned before the rule, or the customer changed their mind since.
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const id = await queue(customerId, at(10), segmentCampaign);
    expect(await decideSend(db, await claimed(id))).toEqual({
      action: "cancel",
      code: "no_profiling_consent",
      reason: expect.stringContaining("consent to profiling on the channel is not in force"),
    });
    await setConsents(
      db,
      tenantId,
      customerId,
      { consents: [{ channel: "email", purpose: "profiling", granted: true }] },
      { actor: "key_app", source: "app", now: new Date() },
    );
    expect(await decideSend(db, await claimed(id))).toMatchObject({ action: "send" });
  });

  it("a withdrawal recorded after a grant stamped ahead of our clock stops the message", async () => {
    const { tenantId, queue, claimed } = await setup();
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const id = await queue(customerId, at(10));
    const now = new Date();
    const emailMarketing = (granted: boolean) => [
      { channel: "email" as const, purpose: "marketing" as const, granted },
    ];
    // The app's clock runs 4 minutes fast; a minute after its grant, an admin withdraws it.
    const app = { actor: "key_app", source: "app", now };
    const fastGrant = {
      consents: emailMarketing(true),
      occurredAt: new Date(now.getTime() + 4 * 60_000).toISOString(),
    };
    await setConsents(db, tenantId, customerId, fastGrant, app);
    const admin = { actor: "key_admin", source: "admin", now: new Date(now.getTime() + 60_000) };
    await setConsents(db, tenantId, customerId, { consents: emailMarketing(false) }, admin);
    expect(await decideSend(db, await claimed(id))).toMatchObject({ action: "cancel", code: "no_consent" });
  });

  it("lets one of two overdue messages go when they are claimed together; a paused campaign's reserves no slot", async () => {
    const { tenantId, queue } = await setup([{ max: 1, windowHours: 24 }]);
    const paused = await messageCampaign(db, tenantId);
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const now = at(5_000);
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const held = await queue(customerId, hoursAgo(30), paused);
    const first = await queue(customerId, hoursAgo(26));
    const second = await queue(customerId, hoursAgo(1));
    await db.campaign.update({ where: { id: paused }, data: { status: "paused" } });
    const claimed = await claimDueMessages(db, { now, limit: 10, leaseMs: 60_000, tenantIds: [tenantId] });
    const decisions = await decideSends(db, claimed, { now });
    const of = (id: string) => decisions[claimed.findIndex((m) => m.id === id)];
    expect(of(held)).toEqual({ action: "hold" });
    expect(of(first)).toMatchObject({ action: "send" });
    expect(of(second)).toEqual({ action: "hold" });
  });
});
