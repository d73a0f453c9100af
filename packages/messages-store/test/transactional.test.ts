import { type Db, withTransaction } from "@regulars/db";
import { sendFailure } from "@regulars/messaging";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  decideSends,
  queueCampaignMessage,
  queueTransactionalSms,
  recordCancelled,
  recordDeliveryReceipt,
  recordFailure,
  recordSentMany,
  spentTransactionalBody,
} from "../src/index.ts";
import {
  claimForTenant,
  messageCustomer,
  messageTemplate,
  queueCampaignSms,
  smsCampaignSetup,
  stepKeyOf,
  yearAhead,
} from "./fixtures.ts";

// A till's one-time code by SMS: queued with the hold, taken before any campaign's backlog, sent with no marketing
// consent or cap, never late, and not kept once used.

let db: Db;
let tenantId: string;
let campaignId: string;
let smsTemplate: string;
const ahead = yearAhead();
const at = (seconds: number) => new Date(ahead.getTime() + seconds * 1000);
let keys = 0;

beforeAll(() => {
  db = testDb();
});
beforeEach(async () => {
  const caps = { limits: { frequencyCaps: [{ max: 1, windowHours: 24 }] } };
  ({ tenantId, campaignId, smsTemplate } = await smsCampaignSetup(db, "Code Grill", caps));
});
afterAll(async () => {
  await db?.$disconnect();
});

const code = (customerId: string, to: string, extra: { key?: string; sentAt?: Date; expiresAt?: Date } = {}) => ({
  tenantId,
  customerId,
  to,
  body: "123456 is your code. Never share it.",
  key: extra.key ?? `hold-code:test-${Date.now()}-${++keys}`,
  at: extra.sentAt ?? at(0),
  expiresAt: extra.expiresAt ?? at(300),
});
const queueCode = (sms: ReturnType<typeof code>) => withTransaction(db, (tx) => queueTransactionalSms(tx, sms));

const queueMarketingSms = (customerId: string, sendAt: Date) =>
  queueCampaignSms(db, { tenantId, campaignId, templateId: smsTemplate, customerId, sendAt });
const claim = (now: Date, extra: Parameters<typeof claimForTenant>[3] = {}) => claimForTenant(db, tenantId, now, extra);
const row = (id: string) => db.message.findUniqueOrThrow({ where: { id } });

describe("transactional SMS", () => {
  it("is queued with what asked for it: a rolled-back hold queues nothing, and one key queues once", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600500001" });
    const sms = code(customerId, "+48600500001");
    await expect(
      withTransaction(db, async (tx) => {
        await queueTransactionalSms(tx, sms);
        throw new Error("the hold was refused");
      }),
    ).rejects.toThrow("the hold was refused");
    expect(await db.message.count({ where: { stepKey: sms.key } })).toBe(0);

    const first = await queueCode(sms);
    expect(await queueCode(sms)).toEqual(first);
    expect(await row(first.messageId)).toMatchObject({
      status: "queued",
      channel: "sms",
      transactional: true,
      campaignId: null,
      toAddress: "+48600500001",
      expiresAt: sms.expiresAt,
      content: { channel: "sms", body: sms.body },
    });
  });

  it("is claimed before every channel's older backlog, within its channel's share", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600500002", email: "ada@example.com" });
    const emailTemplate = await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hi", body: "<p>Hi</p>" },
    ]);
    const email = await withTransaction(db, (tx) =>
      queueCampaignMessage(tx, {
        tenantId,
        campaignId,
        customerId,
        stepKey: stepKeyOf(),
        templateId: emailTemplate,
        channel: "email",
        sendAt: at(-900),
      }),
    );
    const backlog = [];
    for (let i = 0; i < 6; i++) backlog.push(await queueMarketingSms(customerId, at(-600 + i)));
    const { messageId } = await queueCode(code(customerId, "+48600500002"));

    const first = await claim(at(1), { limit: 3 });
    expect(first.map((m) => m.id)).toEqual([messageId, email.messageId, backlog[0]]);
    expect(first[0]).toMatchObject({ transactional: true, expiresAt: at(300) });
    expect(first[1]).toMatchObject({ transactional: false, expiresAt: null });

    // Read by both of the claim's scans, it still takes one place of the channel's share.
    const { messageId: second } = await queueCode(code(customerId, "+48600500002"));
    const shared = await claim(at(2), { perChannel: 2 });
    expect(shared.map((m) => m.id)).toEqual([second, backlog[1]]);
  });

  it("goes without marketing consent to the number it was queued for, and counts against no cap", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600500003", consents: [] });
    const { messageId } = await queueCode(code(customerId, "+48600500003"));
    const [claimed] = await claim(at(1));
    const [decision] = await decideSends(db, [claimed!], { now: at(1) });
    expect(decision).toMatchObject({
      action: "send",
      message: { id: messageId, channel: "sms", to: "+48600500003", body: expect.stringMatching(/^123456 /) },
    });

    // A campaign capped at one SMS a day still has its one: the code was not marketing.
    const consenting = await messageCustomer(db, tenantId, { phone: "+48600500004" });
    await queueCode(code(consenting, "+48600500004"));
    const marketing = await queueMarketingSms(consenting, at(10));
    const both = await claim(at(11));
    const decisions = await decideSends(db, both, { now: at(11) });
    expect(decisions.map((d) => d.action)).toEqual(["send", "send"]);
    expect(both.map((m) => m.id)).toContain(marketing);
  });

  it("is cancelled, never sent late, once it expired; and sent to nobody once the customer is erased", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600500005" });
    const { messageId } = await queueCode(code(customerId, "+48600500005", { expiresAt: at(60) }));
    const [claimed] = await claim(at(61));
    const [decision] = await decideSends(db, [claimed!], { now: at(61) });
    expect(decision).toMatchObject({ action: "cancel", code: "expired" });
    if (decision?.action !== "cancel") throw new Error("not cancelled");
    await recordCancelled(db, claimed!, decision, at(61));
    expect(await row(messageId)).toMatchObject({
      status: "cancelled",
      failureCode: "expired",
      content: { channel: "sms", body: spentTransactionalBody },
    });

    const erased = await messageCustomer(db, tenantId, { phone: "+48600500006" });
    await queueCode(code(erased, "+48600500006"));
    await db.customer.update({ where: { id: erased }, data: { erasedAt: new Date() } });
    const [late] = await claim(at(2));
    expect(await decideSends(db, [late!], { now: at(2) })).toMatchObject([{ action: "cancel", code: "no_address" }]);
  });

  it("keeps no code once sent or given up; a campaign's message keeps its text", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600500007" });
    const { messageId: sent } = await queueCode(code(customerId, "+48600500007"));
    const marketing = await queueMarketingSms(customerId, at(0));
    const claimed = await claim(at(1));
    const decisions = await decideSends(db, claimed, { now: at(1) });
    await recordSentMany(
      db,
      claimed.map((c, i) => {
        const decision = decisions[i]!;
        if (decision.action !== "send") throw new Error(`${c.id} not sent`);
        return { claimed: c, message: decision.message, provider: "test", providerMessageId: `p-${c.id}` };
      }),
      at(1),
    );
    expect(await row(sent)).toMatchObject({ status: "sent", content: { body: spentTransactionalBody } });
    expect(await row(marketing)).toMatchObject({ status: "sent", content: { body: "Hi" } });

    const { messageId: failed } = await queueCode(code(customerId, "+48600500007"));
    const [again] = await claim(at(2));
    await recordFailure(db, again!, null, "test", sendFailure("rejected", "the number cannot take SMS"), {
      now: at(2),
    });
    expect(await row(failed)).toMatchObject({ status: "failed", content: { body: spentTransactionalBody } });
  });

  it("keeps no code once a receipt says an attempt taken for failed was delivered, and announces it sent", async () => {
    // The provider took the code but answered too late: the sender counted a timeout and would try again, then the
    // provider's receipt came. No retry is claimed for a delivered message, so the receipt is the code's last look.
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600500008" });
    const { messageId } = await queueCode(code(customerId, "+48600500008"));
    const [claimed] = await claim(at(1));
    const [decision] = await decideSends(db, [claimed!], { now: at(1) });
    if (decision?.action !== "send") throw new Error("the code was not sent");
    const timedOut = sendFailure("timeout", "no answer in 10 s");
    expect(await recordFailure(db, claimed!, decision.message, "test", timedOut, { now: at(2) })).toMatchObject({
      outcome: "retrying",
    });
    expect(await row(messageId)).toMatchObject({ status: "queued", content: { body: code("", "").body } });

    const receipt = await recordDeliveryReceipt(db, messageId, "test", { status: "delivered" }, at(3), tenantId);
    expect(await row(messageId)).toMatchObject({
      status: "delivered",
      content: { body: spentTransactionalBody },
      sentAt: at(3),
      deliveredAt: at(3),
    });
    expect(receipt?.outbox.map((item) => item.type)).toEqual(["message.sent", "message.delivered"]);
    expect(receipt?.outbox[0]?.payload).toMatchObject({ provider: "test", attempt: 1, messageId });
    const again = await recordDeliveryReceipt(db, messageId, "test", { status: "delivered" }, at(4), tenantId);
    expect(again?.outbox).toEqual([]);
    expect(await claim(at(600))).toEqual([]);
  });
});
