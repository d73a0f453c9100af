import { type DeadLetterInfo, publishMany } from "@regulars/bus";
import { createTemplate } from "@regulars/campaigns-store";
import { createCampaign as createCouponCampaign } from "@regulars/checkout-store";
import { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { eventually, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, startWorkers } from "../src/index.ts";

// The campaigns worker end to end over JetStream: a registration on the domain stream enrols the customer in the
// welcome campaign, the executor puts the coupon into the wallet and queues the push showing its code, and the
// enrolment is announced; the same event published again plans nothing new; an unreadable event is dead-lettered.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let workers: RunningWorkers;
const letters: DeadLetterInfo[] = [];

beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

it("enrols once per occurrence, issues the coupon and queues the push with its code, dead-letters what it cannot read", async () => {
  const { tenantId } = await testTenant(db, "Campaign Worker Grill");
  const fries = await createCouponCampaign(
    db,
    tenantId,
    {
      name: "Discounted fries",
      benefit: { kind: "percent_off", percent: 50, match: { skus: ["FRIES"] } },
      codes: { kind: "generic", code: "FRIES50" },
    },
    "key_test",
  );
  const template = await createTemplate(
    db,
    tenantId,
    {
      name: "Welcome push",
      channel: "push",
      variants: [{ channel: "push", language: "en", title: "Welcome", body: "Your fries code: {{ coupon.code }}" }],
    },
    "key_test",
  );
  const campaignId = newId("campaign");
  const definition = CampaignDefinition.parse({
    name: "Welcome",
    status: "active",
    audience: { kind: "none" },
    trigger: { type: "registered" },
    actions: [
      { type: "issue_coupon", couponCampaignId: fries.id },
      { type: "send_message", channel: "push", templateId: template.id },
    ],
  });
  await db.campaign.create({
    data: {
      id: campaignId,
      tenantId,
      name: "Welcome",
      status: "active",
      triggerType: "registered",
      version: 1,
      createdBy: "t",
    },
  });
  await db.campaignVersion.create({ data: { tenantId, campaignId, version: 1, definition, createdBy: "t" } });
  const customerId = newId("customer");
  await db.customer.create({ data: { id: customerId, tenantId, createdVia: "app", email: "fan@example.com" } });
  await db.$executeRaw`
    INSERT INTO customer_push_tokens (tenant_id, device_id, customer_id, platform, token)
    VALUES (${tenantId}, 'device-1', ${customerId}, 'ios', 'token-1')`;
  await db.customerConsent.create({
    data: {
      id: newId("event"),
      tenantId,
      customerId,
      channel: "push",
      purpose: "marketing",
      granted: true,
      source: "app",
      occurredAt: new Date(Date.now() - 60_000),
    },
  });

  const welcome = {
    type: "customer.created",
    id: `customer-created:${customerId}`,
    tenantId,
    customerId,
    occurredAt: new Date().toISOString(),
    via: "app",
    fields: ["email"],
  };
  const subject = bus.topology.subjects.domain(tenantId, "customer.created");
  await publishMany(bus.js, [
    { subject, payload: welcome, msgId: "w1" },
    // Published again by the outbox relay after JetStream's duplicate window: a second message, nothing new.
    { subject, payload: welcome, msgId: "w2" },
    { subject, payload: { ...welcome, id: "broken", customerId: undefined }, msgId: "w3" },
  ]);
  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["campaigns"],
    campaigns: { pollMs: 100, tenantIds: [tenantId] },
    onDeadLetter: async (info) => {
      letters.push(info);
    },
  });

  const message = await eventually(
    "the push is queued",
    async () => (await db.message.findFirst({ where: { tenantId, customerId } })) ?? undefined,
  );
  await eventually("the dead letter", async () => (letters.length ? true : undefined));
  await new Promise((r) => setTimeout(r, 500)); // time for a duplicate to show, were there one
  expect(JSON.stringify(message.content)).toContain("FRIES50");
  expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(1);
  expect(await db.message.count({ where: { tenantId } })).toBe(1);
  const enrolments = await db.campaignEnrolment.findMany({ where: { campaignId } });
  expect(enrolments.map((e) => [e.occurrence, e.outcome])).toEqual([["registered", "entered"]]);
  const steps = await db.campaignStep.findMany({ where: { campaignId }, orderBy: { stepIndex: "asc" } });
  expect(steps.map((s) => s.status)).toEqual(["done", "done"]);
  const announced = await eventually("the enrolment is published", async () => {
    const row = await db.outboxEvent.findUnique({ where: { id: `campaign-enrolled:${enrolments[0]!.id}` } });
    return row?.publishedAt ? row : undefined;
  });
  expect(announced.payload).toMatchObject({ type: "campaign.enrolled", campaignId, customerId, outcome: "entered" });
  expect(letters.map((l) => [l.consumer, l.category])).toEqual([["campaign-triggers", "invalid_payload"]]);
  expect(workers.consumers()).toEqual([{ consumer: "campaign-triggers", status: "running" }]);
});
