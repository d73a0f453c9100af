import { insertCampaignEvents } from "@regulars/analytics";
import { MessageClicked } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { createLogger } from "@regulars/logger";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  applyRetention,
  clearOldMessages,
  clickhouseTextHits,
  defaultRetention,
  getRetention,
  setRetention,
} from "../src/index.ts";
import { privacyTenant, seedCustomer } from "./fixtures.ts";

// Retention settings and the apply-retention job, run with an injected clock some months after the data.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
const log = createLogger({ level: "silent" });
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const DAY = 86_400_000;

describe("retention settings", () => {
  it("are the defaults until changed; a change keeps the other settings and is audited", async () => {
    const { tenantId } = await privacyTenant(db, "Settings Burgers");
    expect(await getRetention(db, tenantId)).toEqual({ ...defaultRetention, isDefault: true });
    expect(await setRetention(db, tenantId, { eraseInactiveMonths: 24 }, "key_admin")).toEqual({
      ...defaultRetention,
      eraseInactiveMonths: 24,
    });
    await setRetention(db, tenantId, { eventsMonths: null }, "key_admin");
    expect(await getRetention(db, tenantId)).toEqual({
      eventsMonths: null,
      devMessagesDays: defaultRetention.devMessagesDays,
      eraseInactiveMonths: 24,
      messagesDays: 400,
      isDefault: false,
    });
    const audit = await db.auditLog.findMany({
      where: { tenantId, action: "privacy.retention.set" },
      orderBy: { id: "asc" },
    });
    expect(audit.map((a) => a.details)).toEqual([
      { before: defaultRetention, after: { ...defaultRetention, eraseInactiveMonths: 24 } },
      {
        before: { ...defaultRetention, eraseInactiveMonths: 24 },
        after: { ...defaultRetention, eventsMonths: null, eraseInactiveMonths: 24 },
      },
    ]);
  });
});

describe("apply-retention", () => {
  it("deletes old messages and events and erases dormant customers as of its clock, once", async () => {
    const { tenantId } = await privacyTenant(db, "Retention Burgers");
    const now = new Date();
    const later = new Date(now.getTime() + 400 * DAY);
    await setRetention(db, tenantId, { eventsMonths: 3, devMessagesDays: 10, eraseInactiveMonths: 12 }, "key_admin");
    const dormant = await seedCustomer(db, analytics, tenantId, now);
    const active = await db.customer.create({
      data: {
        id: `cus_active${now.getTime()}`,
        tenantId,
        phone: "+48601999888",
        createdVia: "pos",
        createdAt: new Date(later.getTime() - DAY),
      },
    });
    await db.devMessage.create({
      data: {
        id: `msg_recent${now.getTime()}`,
        tenantId,
        customerId: active.id,
        channel: "sms",
        recipient: "+48601999888",
        body: "Hi",
        createdAt: new Date(later.getTime() - DAY),
      },
    });
    await analytics.insertEvents([
      {
        tenantId,
        eventId: `ev_recent${now.getTime()}`,
        type: "app_open",
        occurredAt: new Date(later.getTime() - DAY).toISOString(),
        customerId: active.id,
        locationId: null,
        channel: "app",
        properties: {},
      },
    ]);

    const first = await applyRetention({ db, log, tenantId, now: later, analytics });
    // The dormant customer's message and event by their age, then the customer by inactivity.
    expect(first.acted).toBe(3);
    expect(first.outbox.map((o) => o.type)).toEqual(["customer.erased"]);
    expect((await db.customer.findUniqueOrThrow({ where: { id: dormant.customerId } })).erasedAt).toEqual(later);
    expect((await db.customer.findUniqueOrThrow({ where: { id: active.id } })).erasedAt).toBeNull();
    expect(await db.devMessage.findMany({ where: { tenantId }, select: { customerId: true } })).toEqual([
      { customerId: active.id },
    ]);
    expect(await analytics.countEvents(tenantId)).toBe(1);
    expect(await analytics.countEvents(tenantId, { customerId: active.id })).toBe(1);
    const audit = await db.auditLog.findFirstOrThrow({ where: { tenantId, action: "privacy.erase" } });
    expect(audit).toMatchObject({ actor: "system:retention", target: dormant.customerId });

    expect(await applyRetention({ db, log, tenantId, now: later, analytics })).toEqual({ acted: 0, outbox: [] });
  });

  it("keeps everything a tenant keeps, and erases no one by default", async () => {
    const { tenantId } = await privacyTenant(db, "Default Burgers");
    const now = new Date();
    const c = await seedCustomer(db, analytics, tenantId, now);
    const soon = new Date(now.getTime() + 5 * DAY);
    expect(await applyRetention({ db, log, tenantId, now: soon, analytics })).toEqual({ acted: 0, outbox: [] });
    expect((await db.customer.findUniqueOrThrow({ where: { id: c.customerId } })).erasedAt).toBeNull();
    expect(await db.devMessage.count({ where: { tenantId } })).toBe(1);
  });
});

describe("apply-retention on clicked links", () => {
  const clickOf = (tenantId: string, at: Date, url: string) => {
    const messageId = `msg_link${at.getTime()}${Math.random().toString(36).slice(2, 8)}`;
    return MessageClicked.parse({
      tenantId,
      customerId: "cus_anna",
      messageId,
      campaignId: "cmp_spring",
      channel: "email",
      occurredAt: at.toISOString(),
      type: "message.clicked",
      id: `message.clicked:${messageId}:a`,
      url,
    });
  };

  async function linksOf(tenantId: string) {
    const result = await analytics.client.query({
      query: `SELECT message_id, url FROM ${analytics.database}.message_events FINAL WHERE tenant_id = {t:String}`,
      query_params: { t: tenantId },
      format: "JSONEachRow",
    });
    return new Map((await result.json<{ message_id: string; url: string }>()).map((r) => [r.message_id, r.url]));
  }

  it("cuts links clicked before the messages' cutoff to their site in ClickHouse, once; newer ones stay", async () => {
    const { tenantId } = await privacyTenant(db, "Link Retention Burgers");
    const other = await privacyTenant(db, "Link Retention Neighbours");
    const now = new Date();
    const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
    // The link as the template rendered it for the customer.
    const email = `anna.${now.getTime().toString(36)}@example.com`;
    const link = `https://brand.example/p?email=${email}`;
    const old = clickOf(tenantId, daysAgo(401), link);
    const recent = clickOf(tenantId, daysAgo(399), `${link}&recent=1`);
    const neighbours = clickOf(other.tenantId, daysAgo(700), `${link}&other=1`);
    await insertCampaignEvents(analytics, [old, recent, neighbours]);

    expect(await applyRetention({ db, log, tenantId, now, analytics })).toEqual({ acted: 1, outbox: [] });
    expect(await linksOf(tenantId)).toEqual(
      new Map([
        [old.messageId, "https://brand.example"],
        [recent.messageId, recent.url],
      ]),
    );
    expect(await linksOf(other.tenantId)).toEqual(new Map([[neighbours.messageId, neighbours.url]]));
    expect(await applyRetention({ db, log, tenantId, now, analytics })).toEqual({ acted: 0, outbox: [] });

    // A later pass, once the newer click is as old: nothing of the e-mail is left for this tenant.
    await applyRetention({ db, log, tenantId, now: new Date(now.getTime() + 2 * DAY), analytics });
    expect((await linksOf(tenantId)).get(recent.messageId)).toBe("https://brand.example");
    await applyRetention({ db, log, tenantId: other.tenantId, now, analytics });
    expect(await clickhouseTextHits(analytics, [email])).toEqual([]);
  });
});

describe("apply-retention on messages", () => {
  // A clock in the past, so the ages below never depend on the day the tests run.
  const now = new Date("2024-03-01T09:00:00Z");
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
  let seq = 0;

  async function customerOf(tenantId: string) {
    return db.customer.create({
      data: { id: `cus_msgret${Date.now()}${++seq}`, tenantId, phone: "+48601222333", createdVia: "pos" },
    });
  }

  async function message(
    tenantId: string,
    customerId: string,
    status: string,
    leftQueueDaysAgo: number,
    extra: { lastError?: string; failureCode?: string } = {},
  ) {
    const at = daysAgo(leftQueueDaysAgo);
    const done = status !== "queued";
    return db.message.create({
      data: {
        id: `msg_ret${Date.now()}${++seq}`,
        tenantId,
        customerId,
        stepKey: `step-ret-${Date.now()}-${seq}`,
        channel: "email",
        language: "en",
        toAddress: "anna.nowak@example.com",
        content: { channel: "email", subject: "Anna, your code FRIES-7K2Q", html: "<p>Hi Anna</p>" },
        status,
        sendAt: at,
        nextAttemptAt: at,
        attempts: done ? 1 : 0,
        provider: done ? "webhook" : null,
        sentAt: ["sent", "delivered", "opened"].includes(status) ? at : null,
        deliveredAt: ["delivered", "opened"].includes(status) ? at : null,
        openedAt: status === "opened" ? at : null,
        failedAt: ["failed", "cancelled"].includes(status) ? at : null,
        createdAt: at,
        ...extra,
      },
    });
  }

  it("clears the address, text and provider's words of messages older than 400 days, once; the rows stay", async () => {
    const { tenantId } = await privacyTenant(db, "Message Retention Burgers");
    const other = await privacyTenant(db, "Message Retention Neighbours");
    const anna = await customerOf(tenantId);
    const neighbour = await customerOf(other.tenantId);
    const oldOpened = await message(tenantId, anna.id, "opened", 401);
    const oldFailed = await message(tenantId, anna.id, "failed", 500, {
      failureCode: "rejected",
      lastError: "rejected: 550 <anna.nowak@example.com>: no such user",
    });
    const oldCancelled = await message(tenantId, anna.id, "cancelled", 401);
    const recent = await message(tenantId, anna.id, "delivered", 399);
    const stillQueued = await message(tenantId, anna.id, "queued", 700);
    const neighbours = await message(other.tenantId, neighbour.id, "sent", 700);

    expect(await applyRetention({ db, log, tenantId, now, analytics: null })).toEqual({ acted: 3, outbox: [] });

    const after = async (id: string) => db.message.findUniqueOrThrow({ where: { id } });
    for (const old of [oldOpened, oldFailed, oldCancelled]) {
      const { toAddress, content, lastError, ...kept } = await after(old.id);
      expect({ toAddress, content, lastError }).toEqual({ toAddress: "", content: {}, lastError: null });
      // What the campaign's message list and the frequency caps read.
      const { toAddress: _a, content: _c, lastError: _e, ...before } = old;
      expect(kept).toEqual(before);
    }
    for (const kept of [recent, stillQueued, neighbours]) expect(await after(kept.id)).toEqual(kept);

    expect(await applyRetention({ db, log, tenantId, now, analytics: null })).toEqual({ acted: 0, outbox: [] });
  });

  it("works through a backlog a slice at a time", async () => {
    const { tenantId } = await privacyTenant(db, "Message Backlog Burgers");
    const anna = await customerOf(tenantId);
    for (let i = 0; i < 5; i++) await message(tenantId, anna.id, "sent", 401 + i);
    expect(await clearOldMessages(db, tenantId, daysAgo(400), 2)).toBe(5);
    expect(await db.message.count({ where: { tenantId, toAddress: { not: "" } } })).toBe(0);
  });

  it("follows the tenant's setting: 400 days by default, shorter when set, never when null", async () => {
    const { tenantId } = await privacyTenant(db, "Message Settings Burgers");
    const anna = await customerOf(tenantId);
    expect(await getRetention(db, tenantId)).toMatchObject({ messagesDays: 400, isDefault: true });
    await setRetention(db, tenantId, { devMessagesDays: 7 }, "key_admin");
    expect(await getRetention(db, tenantId)).toMatchObject({ messagesDays: 400, devMessagesDays: 7 });
    await message(tenantId, anna.id, "sent", 100);
    const now = new Date();
    await setRetention(db, tenantId, { messagesDays: null }, "key_admin");
    await applyRetention({ db, log, tenantId, now, analytics: null });
    expect(await db.message.count({ where: { tenantId, toAddress: "" } })).toBe(0);
    await setRetention(db, tenantId, { messagesDays: 90 }, "key_admin");
    await applyRetention({ db, log, tenantId, now, analytics: null });
    expect(await db.message.count({ where: { tenantId, toAddress: "" } })).toBe(1);
  });
});
