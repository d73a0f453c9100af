import { insertCampaignEvents } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { clearOldMessages } from "@regulars/privacy";
import { findCredential } from "@regulars/tenancy";
import { testAnalytics, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, issuesOf } from "./helpers.ts";

// privacy.* through tRPC: admin keys only, the tenant from the key, the erasure's confirmation, audit rows.
// What export and erasure do to the data is pinned in packages/privacy/test.

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

async function callers(name: string) {
  const { tenantId, apiKeys } = await testTenant(db, name);
  const as = async (key: string, withClickHouse = true) => {
    const credential = (await findCredential(db, key))!;
    return createCaller({ db, credential, requestId: "req_test", analytics: withClickHouse ? analytics : null });
  };
  return {
    tenantId,
    admin: await as(apiKeys.admin),
    adminWithoutClickHouse: await as(apiKeys.admin, false),
    pos: await as(apiKeys.pos),
    analyst: await as(apiKeys.analyst),
  };
}

const customerOf = (tenantId: string, id: string) =>
  db.customer.create({
    data: { id, tenantId, name: "Jan Kowalski", phone: "+48601000111", email: "jan@example.org", createdVia: "pos" },
  });

const DAY = 86_400_000;

describe("privacy procedures", () => {
  it("export and erase another tenant's customer as not found, and leave it untouched", async () => {
    const a = await callers("Tenant A Burgers");
    const b = await callers("Tenant B Burgers");
    const id = `cus_a${Date.now()}`;
    await customerOf(a.tenantId, id);
    expect((await failure(b.admin.privacy.export({ customerId: id }))).code).toBe("NOT_FOUND");
    expect((await failure(b.admin.privacy.erase({ customerId: id, confirmCustomerId: id }))).code).toBe("NOT_FOUND");
    expect(await db.customer.findUniqueOrThrow({ where: { id } })).toMatchObject({
      erasedAt: null,
      name: "Jan Kowalski",
    });
    expect(await db.auditLog.count({ where: { tenantId: b.tenantId, action: { startsWith: "privacy." } } })).toBe(0);
  });

  it("are for admin keys only", async () => {
    const t = await callers("Role Burgers");
    for (const caller of [t.pos, t.analyst]) {
      expect((await failure(caller.privacy.export({ customerId: "cus_x" }))).code).toBe("FORBIDDEN");
      expect((await failure(caller.privacy.retention.get())).code).toBe("FORBIDDEN");
    }
  });

  it("erase only with the customer's id typed again; export and erasure are audited", async () => {
    const t = await callers("Confirm Burgers");
    const id = `cus_c${Date.now()}`;
    await customerOf(t.tenantId, id);
    const refused = await failure(t.admin.privacy.erase({ customerId: id, confirmCustomerId: `${id}x` }));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(issuesOf(refused)).toEqual([{ path: "confirmCustomerId", message: "must be the same as customerId" }]);

    const doc = await t.admin.privacy.export({ customerId: id });
    expect(doc.postgres.customers).toEqual([expect.objectContaining({ id, email: "jan@example.org" })]);
    expect(Object.keys(doc.clickhouse)).toEqual(expect.arrayContaining(["transactions", "events"]));

    // Without ClickHouse in the API process: Postgres now, ClickHouse by the scheduled job.
    const erased = await t.adminWithoutClickHouse.privacy.erase({ customerId: id, confirmCustomerId: id });
    expect(erased).toMatchObject({ status: "erased", clickhousePending: true });
    expect(await t.admin.privacy.erase({ customerId: id, confirmCustomerId: id })).toMatchObject({
      status: "already_erased",
      clickhousePending: false, // the second call, with ClickHouse, finished the first one's part
    });
    const audit = await db.auditLog.findMany({ where: { tenantId: t.tenantId }, orderBy: { id: "asc" } });
    expect(audit.map((r) => r.action)).toEqual(["privacy.export", "privacy.erase"]);
    expect(JSON.stringify(audit)).not.toMatch(/Kowalski|jan@example|601000111/);
    expect((await failure(t.adminWithoutClickHouse.privacy.export({ customerId: id }))).code).toBe(
      "SERVICE_UNAVAILABLE",
    );
  });

  it("read and change the tenant's retention settings", async () => {
    const t = await callers("Retention Burgers");
    expect(await t.admin.privacy.retention.get()).toMatchObject({
      isDefault: true,
      eraseInactiveMonths: null,
      messagesDays: 400,
    });
    expect(await t.admin.privacy.retention.set({ eraseInactiveMonths: 36, devMessagesDays: 7 })).toMatchObject({
      eraseInactiveMonths: 36,
      devMessagesDays: 7,
    });
    expect(await t.admin.privacy.retention.get()).toMatchObject({ isDefault: false, eraseInactiveMonths: 36 });
    const refused = await failure(t.admin.privacy.retention.set({ eraseInactiveMonths: 1 }));
    expect(refused.code).toBe("BAD_REQUEST");
  });

  it("leave a campaign's results and message list as they were once old messages lose address and text", async () => {
    const t = await callers("Message Results Burgers");
    const template = await t.admin.templates.create({
      name: "Welcome",
      channel: "email",
      variants: [{ channel: "email", language: "en", subject: "Hi", body: "Hi {{ customer.first_name }}" }],
    });
    const campaign = await t.admin.campaigns.create({
      name: "Welcome",
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: [{ type: "send_message", channel: "email", templateId: template.id }],
    });
    const customerId = `cus_r${Date.now()}`;
    await customerOf(t.tenantId, customerId);
    const at = new Date(Date.now() - 401 * DAY);
    const messageId = newId("message");
    await db.message.create({
      data: {
        id: messageId,
        tenantId: t.tenantId,
        customerId,
        campaignId: campaign.id,
        channel: "email",
        language: "en",
        toAddress: "jan@example.org",
        content: { channel: "email", subject: "Hi Jan", html: "<p>Hi Jan, FRIES-7K2Q</p>" },
        status: "clicked",
        sendAt: at,
        nextAttemptAt: at,
        attempts: 1,
        provider: "webhook",
        sentAt: at,
        deliveredAt: at,
        openedAt: at,
        clickedAt: at,
        createdAt: at,
      },
    });
    const common = { tenantId: t.tenantId, customerId, occurredAt: at.toISOString(), campaignId: campaign.id };
    const ofMessage = { ...common, messageId, channel: "email" as const };
    await insertCampaignEvents(analytics, [
      {
        ...common,
        type: "campaign.enrolled",
        id: `enrolled:${customerId}`,
        version: 1,
        enrolmentId: `enr_${customerId}`,
        occurrence: "registered",
        outcome: "entered",
      },
      { ...ofMessage, type: "message.sent", id: `sent:${messageId}`, provider: "webhook", attempt: 1 },
      { ...ofMessage, type: "message.clicked", id: `clicked:${messageId}`, url: "https://example.org/fries" },
    ]);
    const results = await t.admin.campaigns.results({ id: campaign.id, conversionDays: 7 });
    expect(results.messages).toMatchObject({ reached: 1, sent: 1, delivered: 1, opened: 1, clicked: 1 });
    const listed = await t.admin.messages.list({ campaignId: campaign.id });

    expect(await clearOldMessages(db, t.tenantId, new Date(Date.now() - 400 * DAY))).toBe(1);
    expect(await db.message.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({
      toAddress: "",
      content: {},
    });
    expect(await t.admin.campaigns.results({ id: campaign.id, conversionDays: 7 })).toEqual(results);
    expect(await t.admin.messages.list({ campaignId: campaign.id })).toEqual(listed);
  });
});
