import { publishMany } from "@regulars/bus";
import { CampaignDefinition, type CustomerCreated } from "@regulars/contracts";
import { setConsents } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";
import { messageTemplate } from "./message-fixtures.ts";

// A brand's welcome SMS for customers enrolled by phone at a till: a `registered` campaign with `via: ["till"]` hears
// their `customer.created` (cause `enrolment`), and the development provider sends the SMS to the one who gave SMS
// marketing consent at the till; the one who did not gets nothing. The workers' clocks are a year ahead, and the
// events happen then: other test files' systems run senders on this database by the real clock.

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

/** A customer a till enrolled by phone: the row and identity a till creates, and the consents it recorded, if any. */
async function tillCustomer(tenantId: string, phone: string, smsMarketing: boolean): Promise<string> {
  const id = newId("customer");
  await db.$executeRaw`
    INSERT INTO customers (id, tenant_id, phone, created_via, created_at) VALUES (${id}, ${tenantId}, ${phone}, 'pos', now())`;
  await db.$executeRaw`
    INSERT INTO customer_identities (tenant_id, kind, value, customer_id) VALUES (${tenantId}, 'phone', ${phone}, ${id})`;
  if (smsMarketing)
    await setConsents(
      db,
      tenantId,
      id,
      { consents: [{ channel: "sms", purpose: "marketing", granted: true }] },
      { actor: "key_till", source: "till:loc_1", now: new Date() },
    );
  return id;
}

const enrolled = (tenantId: string, customerId: string): CustomerCreated => ({
  type: "customer.created",
  id: `customer.created:${customerId}`,
  tenantId,
  customerId,
  occurredAt: ahead.toISOString(),
  via: "pos",
  cause: "enrolment",
  identity: "phone",
  fields: ["phone"],
});

it("sends a till-enrolled customer the welcome SMS their consent allows, and none to one without it", async () => {
  const { tenantId } = await testTenant(db, "Till Welcome Grill");
  const templateId = await messageTemplate(db, tenantId, {
    channel: "sms",
    language: "en",
    body: "Welcome, fries on us",
  });
  const campaignId = newId("campaign");
  const definition = CampaignDefinition.parse({
    name: "Till welcome",
    status: "active",
    audience: { kind: "none" },
    trigger: { type: "registered", via: ["till"] },
    actions: [{ type: "send_message", channel: "sms", templateId }],
  });
  await db.campaign.create({
    data: {
      id: campaignId,
      tenantId,
      name: "Till welcome",
      status: "active",
      triggerType: "registered",
      version: 1,
      createdBy: "t",
    },
  });
  await db.campaignVersion.create({ data: { tenantId, campaignId, version: 1, definition, createdBy: "t" } });
  const consenting = await tillCustomer(tenantId, "+48600400001", true);
  const silent = await tillCustomer(tenantId, "+48600400002", false);

  const subject = bus.topology.subjects.domain(tenantId, "customer.created");
  await publishMany(bus.js, [
    { subject, payload: enrolled(tenantId, consenting), msgId: "e1" },
    { subject, payload: enrolled(tenantId, silent), msgId: "e2" },
  ]);
  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["campaigns", "messages"],
    campaigns: { pollMs: 100, tenantIds: [tenantId], now: () => ahead },
    messages: { clock: () => ahead, tenantIds: [tenantId], pollMs: 50 },
  });

  const recorded = await eventually(
    "the welcome SMS sent",
    async () => (await db.devMessage.findFirst({ where: { tenantId, customerId: consenting } })) ?? undefined,
  );
  expect(recorded).toMatchObject({ channel: "sms", recipient: "+48600400001", body: "Welcome, fries on us" });
  // Both were enrolled; the one without consent is skipped, nothing queued.
  const steps = await eventually("both customers' steps settled", async () => {
    const steps = await db.campaignStep.findMany({ where: { campaignId } });
    return steps.length === 2 && steps.every((s) => s.status !== "pending") ? steps : undefined;
  });
  const enrolments = await db.campaignEnrolment.findMany({ where: { campaignId } });
  expect(enrolments.map((e) => [e.customerId, e.occurrence]).sort()).toEqual(
    [
      [consenting, "registered"],
      [silent, "registered"],
    ].sort(),
  );
  const outcome = (customerId: string) => steps.find((s) => s.customerId === customerId);
  expect(outcome(consenting)).toMatchObject({ status: "done", reason: null });
  expect(outcome(silent)).toMatchObject({ status: "skipped", reason: "no_consent" });
  expect(await db.message.count({ where: { tenantId, customerId: silent } })).toBe(0);
  expect(await db.devMessage.count({ where: { tenantId, customerId: silent } })).toBe(0);
});
