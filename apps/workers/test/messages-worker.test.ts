import { type Db, withTransaction } from "@regulars/db";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { queueCampaignMessage } from "@regulars/messages-store";
import { eventually, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";
import { campaignMessageQueue } from "../src/messages/campaign-queue.ts";
import { messageCampaign, messageCustomer, messageTemplate, stepKeyOf } from "./message-fixtures.ts";

// The messages worker as a workers process runs it with no settings: the development provider records what it
// sends in `dev_messages`, and `message.sent` reaches the domain stream. Its clock is a year ahead, and its
// messages are due then: other test files' systems run senders on this database by the real clock.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let workers: RunningWorkers | undefined;
const ahead = new Date(Date.now() + 365 * 86_400_000);

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

it("sends queued messages through the development provider into dev_messages and publishes message.sent", async () => {
  const { tenantId } = await testTenant(db, "Worker Grill");
  const customerId = await messageCustomer(db, tenantId, { phone: "+48600300001", at: new Date() });
  const campaignId = await messageCampaign(db, tenantId);
  const templateId = await messageTemplate(db, tenantId, {
    channel: "sms",
    language: "en",
    body: "Hi {{ customer.first_name }}, fries on us",
  });
  const { messageId } = await withTransaction(db, (tx) =>
    queueCampaignMessage(tx, {
      tenantId,
      customerId,
      campaignId,
      stepKey: stepKeyOf(),
      templateId,
      channel: "sms",
      sendAt: ahead,
    }),
  );
  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["messages"],
    messages: { clock: () => ahead, tenantIds: [tenantId], pollMs: 50 },
  });
  const sent = await eventually("the message recorded sent", async () => {
    const row = await db.message.findUniqueOrThrow({ where: { id: messageId! } });
    return row.status === "sent" ? row : undefined;
  });
  expect(sent).toMatchObject({ provider: "development", providerMessageId: `dev_${messageId}` });
  const recorded = await db.devMessage.findUniqueOrThrow({ where: { id: messageId! } });
  expect(recorded).toMatchObject({ tenantId, customerId, channel: "sms", recipient: "+48600300001" });
  expect(recorded.body).toBe("Hi Ada, fries on us");
  // Published straight after the commit: the outbox row is marked, and the event is on the domain stream.
  const event = await eventually("message.sent published", async () => {
    const row = await db.outboxEvent.findUnique({ where: { id: `message.sent:${messageId}` } });
    return row?.publishedAt ? row : undefined;
  });
  expect(event.payload).toMatchObject({ type: "message.sent", messageId, campaignId, provider: "development" });
  const stored = await bus.jsm.streams.getMessage(bus.topology.streams.domain, {
    last_by_subj: bus.topology.subjects.domain(tenantId, "message.sent"),
  });
  expect(stored?.json<{ messageId: string }>().messageId).toBe(messageId);
});

it("queues a campaign step's message with the customer's full variables and the links tracked as configured", async () => {
  const { tenantId } = await testTenant(db, "Queue Grill");
  const customerId = await messageCustomer(db, tenantId, { phone: "+48600300002", at: new Date() });
  const campaignId = await messageCampaign(db, tenantId);
  const templateId = await messageTemplate(db, tenantId, {
    channel: "sms",
    language: "en",
    body: "{{ tenant.name | split: ' ' | first }}: {{ points.balance }} points, {{ coupon.code }} https://brand.example/m",
  });
  const secret = "campaign-queue-secret-of-at-least-32-chars";
  const queue = campaignMessageQueue(db, { publicUrl: "https://go.brand.example", secrets: [secret] });
  const input = {
    tenantId,
    customerId,
    campaignId,
    stepKey: stepKeyOf(),
    templateId,
    channel: "sms" as const,
    sendAt: ahead,
    coupon: { code: "FRIES-1" },
  };
  const queued = await withTransaction(db, (tx) => queue(tx, input));
  const body = ((await db.message.findUniqueOrThrow({ where: { id: queued.messageId! } })).content as { body: string })
    .body;
  expect(body).toMatch(/^Queue: 0 points, FRIES-1 https:\/\/go\.brand\.example\/v1\/m\/c\/\S+$/);
  expect(await withTransaction(db, (tx) => queue(tx, input))).toEqual(queued);
});
