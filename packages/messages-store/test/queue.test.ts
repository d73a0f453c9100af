import type { Db } from "@regulars/db";
import { withTransaction } from "@regulars/db";
import { verifyLinkToken } from "@regulars/messaging";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueCampaignMessage, queueMessage } from "../src/index.ts";
import {
  messageCampaign,
  messageCustomer,
  messageTemplate,
  messageTenant,
  secret,
  stepKeyOf,
  tracking,
} from "./fixtures.ts";

let db: Db;
let tenantId: string;
let campaignId: string;
const inAnHour = () => new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  db = testDb();
  tenantId = (await messageTenant(db)).tenantId;
  campaignId = await messageCampaign(db, tenantId);
});
afterAll(async () => {
  await db?.$disconnect();
});

const queue = (
  input: Omit<Parameters<typeof queueCampaignMessage>[1], "tenantId" | "campaignId">,
  withTracking = true,
) =>
  withTransaction(db, (tx) =>
    queueCampaignMessage(tx, { tenantId, campaignId, ...input }, withTracking ? { tracking } : {}),
  );
const row = (id: string) => db.message.findUniqueOrThrow({ where: { id } });

describe("queueCampaignMessage", () => {
  it("queues once per step key: the same step run again, even at once, answers the first message", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600100200" });
    const templateId = await messageTemplate(db, tenantId, "sms", [
      { channel: "sms", language: "en", body: "Hi {{ customer.first_name }}, fries on us: https://brand.example/menu" },
    ]);
    const stepKey = stepKeyOf();
    const input = { customerId, stepKey, templateId, channel: "sms" as const, sendAt: inAnHour() };
    const results = await Promise.all([queue(input), queue(input), queue(input)]);
    const ids = new Set(results.map((r) => r.messageId));
    expect(ids.size).toBe(1);
    expect(results[0]).toMatchObject({ status: "queued" });
    expect(await queue(input)).toEqual(results[0]);
    expect(await db.message.count({ where: { stepKey } })).toBe(1);

    const message = await row(results[0]!.messageId!);
    expect(message).toMatchObject({
      tenantId,
      customerId,
      campaignId,
      channel: "sms",
      language: "en",
      toAddress: "+48600100200",
      status: "queued",
      attempts: 0,
    });
    expect(message.nextAttemptAt.getTime()).toBe(message.sendAt.getTime());
    const body = (message.content as { body: string }).body;
    expect(body).toMatch(/^Hi Ada, fries on us: https:\/\/go\.brand\.example\/v1\/m\/c\/\S+$/);
    const token = body.split("/v1/m/c/")[1]!;
    expect(verifyLinkToken([secret], token)).toEqual({
      ok: true,
      kind: "click",
      messageId: message.id,
      url: "https://brand.example/menu",
    });
  });

  it("renders in the customer's language, else the tenant's, else the set's first language", async () => {
    const templateId = await messageTemplate(db, tenantId, "email", [
      { channel: "email", language: "en", subject: "Hello {{ customer.first_name }}", body: "<p>Hello</p>" },
      { channel: "email", language: "pl", subject: "Cześć {{ customer.first_name }}", body: "<p>Cześć</p>" },
      { channel: "email", language: "pt-BR", subject: "Olá {{ customer.first_name }}", body: "<p>Olá</p>" },
    ]);
    const subjectFor = async (language: string | undefined) => {
      const customerId = await messageCustomer(db, tenantId, {
        email: "ada@example.com",
        ...(language ? { language } : {}),
      });
      const queued = await queue({
        customerId,
        stepKey: stepKeyOf(),
        templateId,
        channel: "email",
        sendAt: inAnHour(),
      });
      const message = await row(queued.messageId!);
      return [message.language, (message.content as { subject: string }).subject];
    };
    expect(await subjectFor("pl")).toEqual(["pl", "Cześć Ada"]);
    expect(await subjectFor("pl-PL")).toEqual(["pl", "Cześć Ada"]);
    expect(await subjectFor("pt")).toEqual(["pt-BR", "Olá Ada"]);
    expect(await subjectFor("de")).toEqual(["en", "Hello Ada"]);
    expect(await subjectFor(undefined)).toEqual(["en", "Hello Ada"]);

    // The tenant's language comes before the set's first one: a Polish chain's customers with no language get Polish.
    try {
      await db.$executeRaw`UPDATE tenants SET language = 'pl' WHERE id = ${tenantId}`;
      expect(await subjectFor(undefined)).toEqual(["pl", "Cześć Ada"]);
      expect(await subjectFor("de")).toEqual(["pl", "Cześć Ada"]);
      expect(await subjectFor("pt-PT")).toEqual(["pt-BR", "Olá Ada"]);
      await db.$executeRaw`UPDATE tenants SET language = 'fr' WHERE id = ${tenantId}`;
      expect(await subjectFor(undefined)).toEqual(["en", "Hello Ada"]);
    } finally {
      await db.$executeRaw`UPDATE tenants SET language = 'en' WHERE id = ${tenantId}`;
    }
  });

  it("fills the coupon, and adds an open pixel to HTML e-mail only when opens are tracked", async () => {
    const customerId = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const templateId = await messageTemplate(db, tenantId, "email", [
      {
        channel: "email",
        language: "en",
        subject: "Your code {{ coupon.code }}",
        body: '<html><body><a href="https://brand.example/c?x=1&amp;y=2">{{ coupon.title }}</a></body></html>',
      },
    ]);
    const coupon = { code: "FRIES-7K2Q", title: "Free fries" };
    const withPixel = await withTransaction(db, (tx) =>
      queueCampaignMessage(
        tx,
        {
          tenantId,
          campaignId,
          customerId,
          stepKey: stepKeyOf(),
          templateId,
          channel: "email",
          sendAt: inAnHour(),
          coupon,
        },
        { tracking: { ...tracking, opens: true } },
      ),
    );
    const html = ((await row(withPixel.messageId!)).content as { html: string }).html;
    expect(html).toContain(">Free fries</a>");
    expect(html).toMatch(/<img src="https:\/\/go\.brand\.example\/v1\/m\/o\/[^"]+"/);
    const clickToken = /\/v1\/m\/c\/([^"]+)"/.exec(html)![1]!;
    expect(verifyLinkToken([secret], clickToken)).toMatchObject({ url: "https://brand.example/c?x=1&y=2" });

    const untracked = await queue(
      { customerId, stepKey: stepKeyOf(), templateId, channel: "email", sendAt: inAnHour(), coupon },
      false,
    );
    const plain = await row(untracked.messageId!);
    expect(plain.content).toMatchObject({ subject: "Your code FRIES-7K2Q" });
    expect((plain.content as { html: string }).html).toContain('href="https://brand.example/c?x=1&amp;y=2"');
  });

  it("skips a customer without an address on the channel, and a template that is archived, another tenant's or another channel's", async () => {
    const noPhone = await messageCustomer(db, tenantId, { email: "ada@example.com" });
    const sms = await messageTemplate(db, tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]);
    const base = { stepKey: stepKeyOf(), channel: "sms" as const, sendAt: inAnHour() };
    expect(await queue({ ...base, customerId: noPhone, templateId: sms })).toEqual({
      messageId: null,
      skipped: "no_address",
    });
    const noDevice = await queue({
      ...base,
      stepKey: stepKeyOf(),
      customerId: noPhone,
      templateId: sms,
      channel: "push",
    });
    expect(noDevice).toEqual({ messageId: null, skipped: "no_template" });
    const push = await messageTemplate(db, tenantId, "push", [
      { channel: "push", language: "en", title: "Hi", body: "Yo" },
    ]);
    expect(
      await queue({ ...base, stepKey: stepKeyOf(), customerId: noPhone, templateId: push, channel: "push" }),
    ).toEqual({ messageId: null, skipped: "no_address" });

    const withPhone = await messageCustomer(db, tenantId, { phone: "+48600100201" });
    await db.messageTemplate.update({ where: { id: sms }, data: { archivedAt: new Date() } });
    expect(await queue({ ...base, stepKey: stepKeyOf(), customerId: withPhone, templateId: sms })).toEqual({
      messageId: null,
      skipped: "no_template",
    });
    const other = await messageTenant(db, "Other Grill");
    const foreign = await messageTemplate(db, other.tenantId, "sms", [{ channel: "sms", language: "en", body: "Hi" }]);
    expect(await queue({ ...base, stepKey: stepKeyOf(), customerId: withPhone, templateId: foreign })).toEqual({
      messageId: null,
      skipped: "no_template",
    });
  });

  it("pushes to the customer's newest device", async () => {
    const customerId = await messageCustomer(db, tenantId, { pushToken: "token-old" });
    await withTransaction(db, async (tx) => {
      const { savePushToken } = await import("@regulars/customers-store");
      await savePushToken(
        tx,
        tenantId,
        customerId,
        { deviceId: "new-phone", platform: "ios", token: "token-new" },
        new Date(),
      );
    });
    const templateId = await messageTemplate(db, tenantId, "push", [
      { channel: "push", language: "en", title: "Hi {{ customer.first_name }}", body: "{{ points.balance }} points" },
    ]);
    const queued = await queue({ customerId, stepKey: stepKeyOf(), templateId, channel: "push", sendAt: inAnHour() });
    const message = await row(queued.messageId!);
    expect(message.toAddress).toBe("ios:token-new");
    expect(message.content).toEqual({ channel: "push", title: "Hi Ada", body: "0 points" });
  });
});

describe("queueMessage", () => {
  it("queues a message outside campaigns, once per key when given one", async () => {
    const customerId = await messageCustomer(db, tenantId, { phone: "+48600100202" });
    const templateId = await messageTemplate(db, tenantId, "sms", [
      { channel: "sms", language: "en", body: "Welcome" },
    ]);
    const input = { tenantId, customerId, templateId, channel: "sms" as const, sendAt: new Date(), key: stepKeyOf() };
    const first = await withTransaction(db, (tx) => queueMessage(tx, input));
    const again = await withTransaction(db, (tx) => queueMessage(tx, input));
    expect(again).toEqual(first);
    expect(await row(first.messageId!)).toMatchObject({ campaignId: null, stepKey: input.key, status: "queued" });
  });
});
