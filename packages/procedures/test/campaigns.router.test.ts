import { insertCampaignEvents } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { findCredential } from "@regulars/tenancy";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCaller } from "../src/root.ts";
import { failure, issuesOf, tenantCallers } from "./helpers.ts";

// templates.*, campaigns.* and messages.list over tRPC: admins write, analysts read, tills do neither;
// refusals name the field; the tenant comes from the key. The stores' rules are pinned in campaigns-store.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let mine: Awaited<ReturnType<typeof tenantCallers>>;
let theirs: Awaited<ReturnType<typeof tenantCallers>>;

beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  mine = await tenantCallers(db, "Campaign Diner");
  theirs = await tenantCallers(db, "Other Diner");
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const variant = { channel: "email" as const, language: "en", subject: "Hi", body: "Hi {{ customer.first_name }}" };

async function customer(tenantId = mine.tenantId, name = "Ada Lovelace") {
  const id = newId("customer");
  await db.customer.create({ data: { id, tenantId, name, createdVia: "test" } });
  return id;
}

describe("templates", () => {
  it("saves, versions, lists, previews and archives; analysts read; tills are refused", async () => {
    const created = await mine.admin.templates.create({ name: "Welcome", channel: "email", variants: [variant] });
    expect(created).toMatchObject({ version: 1, channel: "email" });
    const updated = await mine.admin.templates.update({ id: created.id, name: "Hello" });
    expect(updated.version).toBe(2);
    expect((await mine.analyst.templates.list({ channel: "email" })).map((t) => t.id)).toContain(created.id);
    const who = await customer();
    const preview = await mine.admin.templates.preview({ templateId: created.id, customerId: who });
    expect(preview.message.content).toMatchObject({ channel: "email", subject: "Hi", html: "Hi Ada" });

    expect((await failure(mine.analyst.templates.create({ name: "X", channel: "sms", variants: [] }))).code).toBe(
      "FORBIDDEN",
    );
    expect((await failure(mine.pos.templates.list())).code).toBe("FORBIDDEN");
    // The preview holds a customer's name: not for analyst keys.
    const analystPreview = mine.analyst.templates.preview({ templateId: created.id, customerId: who });
    expect((await failure(analystPreview)).code).toBe("FORBIDDEN");
    expect((await failure(theirs.admin.templates.get({ id: created.id }))).code).toBe("NOT_FOUND");

    const unknown = await failure(
      mine.admin.templates.create({
        name: "Typo",
        channel: "email",
        variants: [{ ...variant, body: "Hi {{ customer.frist_name }}" }],
      }),
    );
    expect(unknown.code).toBe("BAD_REQUEST");
    expect(issuesOf(unknown)).toEqual([{ path: "variants.0.body", message: expect.stringMatching(/frist_name/) }]);

    expect((await mine.admin.templates.archive({ id: created.id })).archivedAt).not.toBeNull();
  });

  it("takes a body of several lines as its lines, and keeps and renders its line breaks", async () => {
    const lines = ["Hi {{ customer.first_name }},", "", "your fries are waiting."];
    const saved = await mine.admin.templates.create({
      name: "Two paragraphs",
      channel: "email",
      variants: [{ ...variant, format: "text", body: lines }],
    });
    expect((await mine.admin.templates.get({ id: saved.id })).variants[0]).toMatchObject({ body: lines.join("\n") });
    const preview = await mine.admin.templates.preview({ templateId: saved.id, customerId: await customer() });
    expect(preview.message.content).toMatchObject({ text: "Hi Ada,\n\nyour fries are waiting." });
    // One string may not hold a line break; the refusal names the field.
    const inOne = await failure(
      mine.admin.templates.create({ name: "X", channel: "email", variants: [{ ...variant, body: lines.join("\n") }] }),
    );
    expect(issuesOf(inOne)).toEqual([{ path: "variants.0.body", message: expect.stringMatching(/U\+000A/) }]);
  });
});

describe("campaigns", () => {
  it("creates, changes, moves and lists campaigns; reads results from ClickHouse", async () => {
    const template = await mine.admin.templates.create({ name: "Welcome", channel: "email", variants: [variant] });
    const definition = {
      name: "Welcome",
      audience: { kind: "none" as const },
      trigger: { type: "registered" as const },
      actions: [{ type: "send_message" as const, channel: "email" as const, templateId: template.id }],
    };
    const created = await mine.admin.campaigns.create(definition);
    expect(created).toMatchObject({ status: "draft", version: 1 });
    const changed = await mine.admin.campaigns.update({ id: created.id, definition: { ...definition, name: "Hi" } });
    expect(changed).toMatchObject({ name: "Hi", version: 2, status: "draft" });
    expect((await mine.analyst.campaigns.versions({ id: created.id })).map((v) => v.version)).toEqual([2, 1]);
    expect((await mine.admin.campaigns.activate({ id: created.id })).status).toBe("active");
    expect((await mine.admin.campaigns.pause({ id: created.id })).status).toBe("paused");
    expect((await mine.admin.campaigns.resume({ id: created.id })).status).toBe("active");
    const refused = await failure(mine.admin.campaigns.setStatus({ id: created.id, status: "draft" }));
    expect(refused.code).toBe("CONFLICT");
    expect((await mine.analyst.campaigns.list({ status: ["active"] })).items.map((c) => c.id)).toEqual([created.id]);
    expect((await failure(mine.analyst.campaigns.pause({ id: created.id }))).code).toBe("FORBIDDEN");
    expect((await failure(theirs.admin.campaigns.get({ id: created.id }))).code).toBe("NOT_FOUND");

    const missing = await failure(
      mine.admin.campaigns.create({
        ...definition,
        actions: [{ type: "send_message", channel: "sms", templateId: template.id }],
      }),
    );
    expect(issuesOf(missing)).toEqual([{ path: "actions.0.templateId", message: expect.stringMatching(/email/) }]);

    // Without ClickHouse in this process, results say so; with it, they count the campaign's events.
    expect((await failure(mine.analyst.campaigns.results({ id: created.id }))).code).toBe("SERVICE_UNAVAILABLE");
    const who = await customer();
    await insertCampaignEvents(analytics, [
      {
        type: "campaign.enrolled",
        id: `enrolled:${who}`,
        tenantId: mine.tenantId,
        customerId: who,
        occurredAt: new Date(Date.now() - 60_000).toISOString(),
        campaignId: created.id,
        version: 2,
        enrolmentId: `enr_${who}`,
        occurrence: "registered",
        outcome: "entered",
      },
    ]);
    const credential = (await findCredential(db, mine.apiKeys.analyst))!;
    const analyst = createCaller({ db, credential, requestId: "req_test", analytics });
    const results = await analyst.campaigns.results({ id: created.id, conversionDays: 7 });
    expect(results).toMatchObject({ conversionDays: 7, reach: { entered: 1, control: 0 } });
  });
});

describe("messages.list", () => {
  it("lists a customer's messages newest first, a page at a time, and needs a customer or a campaign", async () => {
    const who = await customer();
    const ids = [newId("message"), newId("message"), newId("message")];
    await db.message.createMany({
      data: ids.map((id, i) => ({
        id,
        tenantId: mine.tenantId,
        customerId: who,
        channel: "sms",
        language: "en",
        toAddress: "+48600100200",
        content: { channel: "sms", body: `message ${i}` },
        status: i === 2 ? "failed" : "delivered",
        failureCode: i === 2 ? "invalid_address" : null,
        sendAt: new Date(),
        nextAttemptAt: new Date(),
      })),
    });
    const first = await mine.analyst.messages.list({ customerId: who, limit: 2 });
    expect(first.items.map((m) => m.id)).toEqual([ids[2], ids[1]]);
    expect(first.items[0]).toMatchObject({ status: "failed", failureCode: "invalid_address", channel: "sms" });
    expect(JSON.stringify(first)).not.toContain("+48600100200");
    const second = await mine.analyst.messages.list({ customerId: who, limit: 2, cursor: first.nextCursor });
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect((await theirs.admin.messages.list({ customerId: who })).items).toEqual([]);
    const neither = await failure(mine.admin.messages.list({}));
    expect(issuesOf(neither)).toEqual([{ path: "customerId", message: "give a customerId or a campaignId" }]);
  });
});
