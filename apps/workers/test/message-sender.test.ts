import { setConsents } from "@regulars/customers-store";
import { type Db, withTransaction } from "@regulars/db";
import { silentLogger } from "@regulars/logger";
import { queueCampaignMessage, queueMessage, recordEngagement } from "@regulars/messages-store";
import { type MessageProvider, RetryPolicy } from "@regulars/messaging";
import {
  developmentProvider,
  fcmProvider,
  httpSmsProvider,
  memorySink,
  smtpProvider,
} from "@regulars/messaging-providers";
import { testDb, testTenant } from "@regulars/testing";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMessageSender,
  type MessageSenderOptions,
  messageSenderDefaults,
} from "../src/messages/message-sender.ts";
import {
  messageCampaign,
  messageCustomer,
  messageTemplate,
  type ProviderAnswer,
  providerServer,
  stepKeyOf,
} from "./message-fixtures.ts";

// The message sender against real local servers standing in for the providers: an SMTP server receiving the mail,
// an SMS gateway and an FCM-style push API that fail on purpose, ask to wait, or say a device is gone. The clock
// is injected and the messages are due a year from now: other test files' systems run senders on this database,
// and a message due by the real clock could be theirs to send.

let db: Db;
let tenantId: string;
const ahead = new Date(Date.now() + 365 * 86_400_000);
let now = ahead;
const minutes = (m: number) => new Date(ahead.getTime() + m * 60_000);
const closers: (() => Promise<void> | void)[] = [];
const policy = RetryPolicy.parse({ maxAttempts: 4, initialDelayMs: 30_000, multiplier: 4, jitter: 0 });

const mail: { to: string[]; raw: string }[] = [];
const smtp = new SMTPServer({
  disabledCommands: ["STARTTLS", "AUTH"],
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      mail.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
      callback(null);
    });
  },
});
let smtpPort = 0;

beforeAll(async () => {
  db = testDb();
  tenantId = (await testTenant(db, "Sender Grill")).tenantId;
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const close of closers) await close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await db?.$disconnect();
});

async function gateway(answer: (index: number) => ProviderAnswer | "hang") {
  const server = await providerServer((_, i) => answer(i));
  closers.push(() => server.close());
  return server;
}
const smsVia = (url: string) => httpSmsProvider({ kind: "http-sms", url, responseIdPath: "id", timeoutMs: 5_000 });
const unused: MessageProvider = developmentProvider({ sink: memorySink() });

function sender(providers: Partial<MessageSenderOptions["providers"]>, extra: Partial<MessageSenderOptions> = {}) {
  return createMessageSender({
    db,
    log: silentLogger,
    providers: { email: unused, sms: unused, push: unused, ...providers },
    retryPolicy: policy,
    tenantIds: [tenantId],
    clock: () => now,
    random: () => 0.5,
    ...extra,
  });
}

async function queued(
  channel: "email" | "sms" | "push",
  customerId: string,
  opts: { campaignId?: string; sendAt?: Date; templateId?: string } = {},
) {
  const campaignId = opts.campaignId ?? (await messageCampaign(db, tenantId));
  const templateId =
    opts.templateId ??
    (await messageTemplate(
      db,
      tenantId,
      channel === "email"
        ? { channel, language: "en", subject: "Hi {{ customer.first_name }}", body: "<p>Fries on us</p>" }
        : channel === "sms"
          ? { channel, language: "en", body: "Hi {{ customer.first_name }}, fries on us" }
          : { channel, language: "en", title: "Hi {{ customer.first_name }}", body: "Fries on us" },
    ));
  const result = await withTransaction(db, (tx) =>
    queueCampaignMessage(tx, {
      tenantId,
      customerId,
      campaignId,
      stepKey: stepKeyOf(),
      templateId,
      channel,
      sendAt: opts.sendAt ?? minutes(0),
    }),
  );
  if (!result.messageId) throw new Error(`not queued: ${JSON.stringify(result)}`);
  return result.messageId;
}
const message = (id: string) => db.message.findUniqueOrThrow({ where: { id } });
const events = async (messageId: string) =>
  (
    await db.outboxEvent.findMany({
      where: { tenantId, payload: { path: ["messageId"], equals: messageId } },
      orderBy: { createdAt: "asc" },
    })
  ).map((e) => e.payload as { id: string; type: string; code?: string; attempt?: number });

describe("message sender", () => {
  it("sends an e-mail through SMTP and records it sent with the provider's id and message.sent", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com", at: new Date() });
    const id = await queued("email", customerId);
    const email = smtpProvider({
      kind: "smtp",
      host: "127.0.0.1",
      port: smtpPort,
      from: "Grill <hi@grill.example>",
      pool: false,
    });
    expect(await sender({ email }).sendDue()).toBe(1);
    expect(mail.filter((m) => m.raw.includes(id))).toHaveLength(1);
    expect(mail.at(-1)!.to).toEqual(["ada@example.com"]);
    expect(mail.at(-1)!.raw).toContain("Subject: Hi Ada");
    const row = await message(id);
    expect(row).toMatchObject({ status: "sent", provider: "smtp", attempts: 1, toAddress: "ada@example.com" });
    expect(row.providerMessageId).toBeTruthy();
    expect(row.sentAt).toEqual(now);
    expect(await events(id)).toEqual([
      expect.objectContaining({ id: `message.sent:${id}`, type: "message.sent", attempt: 1 }),
    ]);
  });

  it("records the send of a push tapped before the provider's answer came back, keeping the click", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { pushToken: "token-of-a-quick-thumb", at: new Date() });
    const id = await queued("push", customerId);
    let tapped: Promise<unknown> = Promise.resolve();
    const fcm = await gateway(() => {
      tapped = recordEngagement(db, id, { kind: "click", url: "https://brand.example/menu" }, now);
      return { status: 200, body: { name: "projects/p/messages/1" }, delayMs: 300 };
    });
    await sender({ push: fcmProvider({ kind: "fcm", url: fcm.url, accessToken: "t" }) }).sendDue();
    await tapped;
    expect(await message(id)).toMatchObject({
      status: "clicked",
      attempts: 1,
      providerMessageId: "projects/p/messages/1",
    });
    expect((await events(id)).map((e) => e.type).sort()).toEqual(["message.clicked", "message.sent"]);
  });

  it("sends nothing before the message's time", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600200001", at: new Date() });
    const sms = await gateway(() => ({ status: 200, body: { id: "gw-1" } }));
    const id = await queued("sms", customerId, { sendAt: minutes(30) });
    now = minutes(29);
    expect(await sender({ sms: smsVia(sms.url) }).sendDue()).toBe(0);
    now = minutes(30);
    expect(await sender({ sms: smsVia(sms.url) }).sendDue()).toBe(1);
    expect((await message(id)).status).toBe("sent");
  });

  it("cancels a message whose consent was withdrawn after it was queued: nothing is sent, message.failed says why", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, {
      phone: "+48600200002",
      at: new Date(Date.now() - 3_600_000),
    });
    const id = await queued("sms", customerId);
    await setConsents(
      db,
      tenantId,
      customerId,
      { consents: [{ channel: "sms", purpose: "marketing", granted: false }] },
      { actor: "key_app", source: "app:settings", now: new Date() },
    );
    const sms = await gateway(() => ({ status: 200, body: { id: "gw-2" } }));
    await sender({ sms: smsVia(sms.url) }).sendDue();
    expect(sms.requests).toHaveLength(0);
    expect(await message(id)).toMatchObject({ status: "cancelled", failureCode: "no_consent", attempts: 0 });
    expect(await events(id)).toEqual([
      expect.objectContaining({ id: `message.failed:${id}`, type: "message.failed", code: "no_consent" }),
    ]);
  });

  it("asks for consent for messages outside campaigns too", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600200010", consents: [], at: new Date() });
    const templateId = await messageTemplate(db, tenantId, { channel: "sms", language: "en", body: "Welcome" });
    const { messageId } = await withTransaction(db, (tx) =>
      queueMessage(tx, { tenantId, customerId, templateId, channel: "sms", sendAt: minutes(0) }),
    );
    const sms = await gateway(() => ({ status: 200, body: { id: "gw-notice" } }));
    await sender({ sms: smsVia(sms.url) }).sendDue();
    expect(sms.requests).toHaveLength(0);
    expect(await message(messageId!)).toMatchObject({
      status: "cancelled",
      failureCode: "no_consent",
      campaignId: null,
    });
  });

  it("cancels a message the caps no longer allow because another campaign's message went first", async () => {
    now = minutes(5);
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600200003", at: new Date() });
    const capped = await messageCampaign(db, tenantId, [{ max: 1, windowHours: 24 }]);
    const other = await queued("sms", customerId, { sendAt: minutes(1) });
    const mine = await queued("sms", customerId, { campaignId: capped, sendAt: minutes(2) });
    const sms = await gateway((i) => ({ status: 200, body: { id: `gw-cap-${i}` } }));
    const send = sender({ sms: smsVia(sms.url) });
    await send.sendDue();
    expect(sms.requests).toHaveLength(1);
    expect((await message(other)).status).toBe("sent");
    // Decided while the other was still queued, it waited for its result (it could have failed for good).
    expect(await message(mine)).toMatchObject({ status: "queued", attempts: 0 });
    now = new Date(now.getTime() + messageSenderDefaults.holdMs);
    await send.sendDue();
    expect(sms.requests).toHaveLength(1);
    expect(await message(mine)).toMatchObject({ status: "cancelled", failureCode: "capped" });
    expect(await events(mine)).toEqual([expect.objectContaining({ type: "message.failed", code: "capped" })]);
  });

  it("retries with backoff and the provider's Retry-After, then records it sent", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600200004", at: new Date() });
    const id = await queued("sms", customerId);
    const answers: ProviderAnswer[] = [
      { status: 503, body: { error: "maintenance" } },
      { status: 429, headers: { "retry-after": "600" } },
      { status: 200, body: { id: "gw-after-retries" } },
    ];
    const sms = await gateway((i) => answers[i]!);
    const send = sender({ sms: smsVia(sms.url) });

    await send.sendDue();
    let row = await message(id);
    expect(row).toMatchObject({ status: "queued", attempts: 1, provider: "http-sms" });
    expect(row.lastError).toMatch(/^provider_error/);
    expect(row.nextAttemptAt).toEqual(new Date(now.getTime() + 30_000));
    expect(await send.sendDue()).toBe(0);

    now = new Date(row.nextAttemptAt.getTime());
    await send.sendDue();
    row = await message(id);
    expect(row).toMatchObject({ status: "queued", attempts: 2 });
    expect(row.lastError).toMatch(/^rate_limited/);
    // The backoff would be 2 minutes; the gateway asked for 10.
    expect(row.nextAttemptAt).toEqual(new Date(now.getTime() + 600_000));

    now = new Date(row.nextAttemptAt.getTime());
    await send.sendDue();
    expect(await message(id)).toMatchObject({
      status: "sent",
      attempts: 3,
      providerMessageId: "gw-after-retries",
      lastError: null,
    });
    expect(sms.requests.map((r) => r.headers["idempotency-key"])).toEqual([id, id, id]);
    expect((await events(id)).map((e) => [e.type, e.attempt])).toEqual([["message.sent", 3]]);
  });

  it("fails for good on a refusal, with the provider's code, and after the last attempt", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600200005", at: new Date() });
    const refused = await queued("sms", customerId);
    const refusing = await gateway(() => ({ status: 400, body: { error: "invalid sender" } }));
    await sender({ sms: smsVia(refusing.url) }).sendDue();
    const row = await message(refused);
    expect(row).toMatchObject({ status: "failed", failureCode: "rejected", attempts: 1, failedAt: now });
    expect(row.lastError).toMatch(/^rejected: /);
    expect(await events(refused)).toEqual([expect.objectContaining({ type: "message.failed", code: "rejected" })]);

    const exhausted = await queued("sms", customerId);
    const down = await gateway(() => ({ status: 500 }));
    const send = sender({ sms: smsVia(down.url) });
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      await send.sendDue();
      now = new Date((await message(exhausted)).nextAttemptAt.getTime());
    }
    expect(await message(exhausted)).toMatchObject({ status: "failed", failureCode: "provider_error", attempts: 4 });
    const [failed] = await events(exhausted);
    expect(failed).toMatchObject({ type: "message.failed", code: "provider_error" });
    expect((failed as unknown as { reason: string }).reason).toMatch(/^gave up after 4 attempts/);
  });

  it("fails a push to a device that is gone (410) and forgets the device", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { pushToken: "token-of-a-removed-app", at: new Date() });
    const id = await queued("push", customerId);
    const fcm = await gateway(() => ({ status: 410, body: { error: { status: "UNREGISTERED" } } }));
    await sender({ push: fcmProvider({ kind: "fcm", url: fcm.url, accessToken: "fcm-token" }) }).sendDue();
    expect(fcm.requests[0]!.body).toMatchObject({ message: { token: "token-of-a-removed-app" } });
    expect(await message(id)).toMatchObject({ status: "failed", failureCode: "recipient_gone" });
    expect(await db.customerPushToken.count({ where: { tenantId, customerId } })).toBe(0);
  });

  it("holds a paused campaign's message and cancels an archived one's", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600200006", at: new Date() });
    const paused = await messageCampaign(db, tenantId);
    const archived = await messageCampaign(db, tenantId);
    const held = await queued("sms", customerId, { campaignId: paused });
    const ended = await queued("sms", customerId, { campaignId: archived });
    await db.campaign.update({ where: { id: paused }, data: { status: "paused" } });
    await db.campaign.update({ where: { id: archived }, data: { status: "archived" } });
    const sms = await gateway(() => ({ status: 200, body: { id: "gw" } }));
    await sender({ sms: smsVia(sms.url) }, { holdMs: 120_000 }).sendDue();
    expect(sms.requests).toHaveLength(0);
    expect(await message(held)).toMatchObject({ status: "queued", attempts: 0, nextAttemptAt: minutes(3) });
    expect(await message(ended)).toMatchObject({ status: "cancelled", failureCode: "cancelled" });
  });

  it("never sends a message twice when two senders claim at once", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600200007", at: new Date() });
    const campaignId = await messageCampaign(db, tenantId);
    const templateId = await messageTemplate(db, tenantId, { channel: "sms", language: "en", body: "Hi" });
    const ids = await Promise.all(
      Array.from({ length: 24 }, () => queued("sms", customerId, { campaignId, templateId })),
    );
    const sms = await gateway((i) => ({ status: 200, body: { id: `gw-race-${i}` }, delayMs: 20 }));
    const senders = [1, 2, 3].map(() => sender({ sms: smsVia(sms.url) }, { concurrency: 5 }));
    const drain = async (s: ReturnType<typeof sender>) => {
      while ((await s.sendDue()) > 0);
    };
    await Promise.all(senders.map(drain));
    const references = sms.requests.map((r) => r.body.reference);
    expect(references).toHaveLength(24);
    expect(new Set(references)).toEqual(new Set(ids));
    const rows = await db.message.findMany({ where: { id: { in: ids } } });
    expect(rows.every((r) => r.status === "sent" && r.attempts === 1)).toBe(true);
  });

  it("keeps sending while a provider hangs: the slow one holds its own slot until its timeout", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, {
      phone: "+48600200008",
      pushToken: "token-of-a-slow-service",
      at: new Date(),
    });
    const push = await queued("push", customerId, { sendAt: minutes(0) });
    const smsIds = await Promise.all([1, 2, 3, 4].map(() => queued("sms", customerId, { sendAt: minutes(0.5) })));
    const hanging = await gateway(() => "hang");
    const sms = await gateway((i) => ({ status: 200, body: { id: `gw-fast-${i}` } }));
    const started = Date.now();
    await sender(
      { sms: smsVia(sms.url), push: fcmProvider({ kind: "fcm", url: hanging.url, accessToken: "t" }) },
      { concurrency: 8, sendTimeoutMs: 1_500 },
    ).sendDue();
    expect(sms.requests.every((r) => r.at - started < 1_000)).toBe(true);
    for (const id of smsIds) expect((await message(id)).status).toBe("sent");
    const slow = await message(push);
    expect(slow).toMatchObject({ status: "queued", attempts: 1 });
    expect(slow.lastError).toMatch(/^timeout/);
  });
});

describe("message sender, running", () => {
  it("gives a hanging provider at most its channel's share of the slots: the other channels keep going out", async () => {
    now = minutes(1);
    const customerId = await messageCustomer(db, tenantId, {
      phone: "+48600200009",
      pushToken: "token-of-a-stuck-service",
      at: new Date(),
    });
    const pushes = await Promise.all([1, 2, 3, 4, 5].map(() => queued("push", customerId, { sendAt: minutes(0) })));
    const smsIds = await Promise.all([1, 2, 3, 4].map(() => queued("sms", customerId, { sendAt: minutes(0.5) })));
    const hanging = await gateway(() => "hang");
    const sms = await gateway((i) => ({ status: 200, body: { id: `gw-share-${i}` }, delayMs: 20 }));
    const running = sender(
      { sms: smsVia(sms.url), push: fcmProvider({ kind: "fcm", url: hanging.url, accessToken: "t" }) },
      { concurrency: 4, perChannel: 2, sendTimeoutMs: 3_000, pollMs: 20 },
    );
    const started = Date.now();
    running.start();
    try {
      for (;;) {
        const rows = await db.message.findMany({ where: { id: { in: smsIds } } });
        if (rows.every((r) => r.status === "sent")) break;
        expect(Date.now() - started).toBeLessThan(2_500);
        await new Promise((r) => setTimeout(r, 20));
      }
      // Two pushes hang in their two slots; the rest wait their turn instead of taking the SMS's slots.
      expect(hanging.requests.length).toBe(2);
    } finally {
      await running.stop();
    }
    const waiting = await db.message.findMany({ where: { id: { in: pushes } } });
    expect(waiting.filter((m) => m.attempts === 0)).toHaveLength(3);
  });
});
