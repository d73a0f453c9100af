import { createTemplate } from "@regulars/campaigns-store";
import { type Db, withTransaction } from "@regulars/db";
import { verifyLinkToken } from "@regulars/messaging";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { campaignMessageQueue } from "../src/messages/campaign-queue.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf } from "./message-fixtures.ts";

// What a campaign step makes of the templates a tenant's staff write: the template as saved is the one queued.

let db: Db;
const ahead = new Date(Date.now() + 365 * 86_400_000);
const secret = "campaign-queue-templates-secret-32-chars";

beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

async function stepInput(tenantId: string, channel: "sms" | "push", templateId: string) {
  const customerId = await messageCustomer(db, tenantId, {
    phone: "+48600300009",
    pushToken: `push-${crypto.randomUUID()}`,
    at: new Date(),
  });
  const campaignId = await messageCampaign(db, tenantId);
  return { tenantId, customerId, campaignId, stepKey: stepKeyOf(), templateId, channel, sendAt: ahead };
}

it("refuses a push link nothing fills in when saved, and sends the link the template writes out, tracked", async () => {
  const { tenantId } = await testTenant(db, "Link Grill");
  const push = { channel: "push", language: "en", title: "{{ tenant.name }}", body: "{{ points.balance }} points" };
  const refused = await createTemplate(
    db,
    tenantId,
    { name: "Deep link", channel: "push", variants: [{ ...push, url: "{{ links.profile }}" }] },
    "key_admin",
  ).catch((e: unknown) => e);
  expect(refused).toMatchObject({
    code: "invalid_request",
    issues: [{ path: "variants.0.url", message: expect.stringMatching(/^no deep link links\.profile: .*write the/) }],
  });

  const written = { ...push, url: "https://brand.example/profile?from={{ tenant.name | url_encode }}" };
  const template = await createTemplate(
    db,
    tenantId,
    { name: "Link", channel: "push", variants: [written] },
    "key_admin",
  );
  const queue = campaignMessageQueue(db, { publicUrl: "https://go.brand.example", secrets: [secret] });
  const queued = await withTransaction(db, async (tx) => queue(tx, await stepInput(tenantId, "push", template.id)));
  const content = (await db.message.findUniqueOrThrow({ where: { id: queued.messageId! } })).content;
  expect(content).toMatchObject({ title: expect.stringMatching(/^Link Grill/), body: "0 points" });
  const token = /^https:\/\/go\.brand\.example\/v1\/m\/c\/(\S+)$/.exec((content as { url: string }).url)?.[1];
  expect(verifyLinkToken([secret], token!)).toMatchObject({
    kind: "click",
    url: expect.stringMatching(/^https:\/\/brand\.example\/profile\?from=Link\+Grill/),
  });
});

it("stops a step whose template, saved before render limits, breaks one: the limit error, nothing queued", async () => {
  const { tenantId } = await testTenant(db, "Loop Grill");
  const templateId = await messageTemplate(db, tenantId, {
    channel: "sms",
    language: "en",
    body: "{% for i in (1..30000000) %}{% endfor %}Hi {{ customer.first_name }}",
  });
  const queue = campaignMessageQueue(db, null);
  const input = await stepInput(tenantId, "sms", templateId);
  const failed = await withTransaction(db, (tx) => queue(tx, input)).catch((e: unknown) => e);
  expect(failed).toMatchObject({
    code: "unprocessable",
    issues: [{ path: "body", message: expect.stringMatching(/^renders too much: /) }],
  });
  expect(await db.message.count({ where: { tenantId } })).toBe(0);
});
