import { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { expandOutbox, outboxBatchType } from "@regulars/ledger-store";
import { silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runScheduledJobs } from "../src/index.ts";
import { campaignMessagesQueue } from "../src/messages/campaign-queue.ts";
import { broadcastCampaign, messageCustomer, messageTemplate } from "./message-fixtures.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// Campaign schedules run in the scheduled pass, under its lease: a due broadcast enrols its audience, its
// enrolments are published, and the next pass (another process, or this one later) adds nothing.

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await bus?.dispose();
  await db?.$disconnect();
});

it("runs a due broadcast in the scheduled pass once, and publishes its enrolments", async () => {
  const { tenantId } = await testTenant(db, "Campaign Schedule Grill");
  const customers = [newId("customer"), newId("customer"), newId("customer")];
  await db.customer.createMany({ data: customers.map((id) => ({ id, tenantId, createdVia: "test" })) });
  const now = new Date();
  const runAt = new Date(now.getTime() - 60_000);
  const definition = CampaignDefinition.parse({
    name: "Friday treat",
    status: "scheduled",
    audience: { kind: "all_members" },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
    actions: [{ type: "award_points", points: 10, reason: "Friday treat" }],
  });
  const campaignId = await broadcastCampaign(db, tenantId, definition, runAt);
  const deps = { db, bus, log: silentLogger, programmes: new ProgrammeCache(db) };

  const { done } = await passWhenLeaseFree(() => runScheduledJobs(deps, now, { tenantIds: [tenantId] }));
  expect(done["campaign-schedules"]).toBe(3);
  expect(done.failed).toBeUndefined();
  const enrolments = await db.campaignEnrolment.findMany({ where: { campaignId } });
  expect(enrolments.map((e) => e.customerId).sort()).toEqual([...customers].sort());
  // The chunk's three events are one outbox row, published as three messages of their own.
  const rows = await db.outboxEvent.findMany({
    where: { tenantId, type: { in: ["campaign.enrolled", outboxBatchType] } },
  });
  expect(rows.map((r) => r.type)).toEqual([outboxBatchType]);
  expect(rows.every((o) => o.publishedAt !== null)).toBe(true);
  const announced = expandOutbox(rows.map((r) => ({ ...r, payload: r.payload as unknown })));
  expect(announced.map((e) => (e.payload as { customerId: string }).customerId).sort()).toEqual([...customers].sort());
  const subject = bus.topology.subjects.domain(tenantId, "campaign.enrolled");
  const stream = await bus.jsm.streams.info(bus.topology.streams.domain, { subjects_filter: subject });
  expect(stream.state.subjects?.[subject]).toBe(3);
  expect(await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).toMatchObject({
    status: "active",
    nextRunAt: null,
  });

  const { done: again } = await passWhenLeaseFree(() =>
    runScheduledJobs(deps, new Date(now.getTime() + 60_000), { tenantIds: [tenantId] }),
  );
  expect(again["campaign-schedules"]).toBe(0);
  expect(await db.campaignEnrolment.count({ where: { campaignId } })).toBe(3);
});

it("queues a broadcast's messages due now as it plans them, each once, leaving the executor nothing", async () => {
  const { tenantId } = await testTenant(db, "Campaign Queue Grill");
  const now = new Date();
  const runAt = new Date(now.getTime() - 60_000);
  const templateId = await messageTemplate(db, tenantId, {
    channel: "email",
    language: "en",
    subject: "New on the menu, {{ customer.first_name }}",
    format: "text",
    body: "You have {{ points.balance }} points.",
  });
  const reachable = [
    await messageCustomer(db, tenantId, { email: "queue1@example.com", at: runAt }),
    await messageCustomer(db, tenantId, { email: "queue2@example.com", at: runAt }),
  ];
  const silent = await messageCustomer(db, tenantId, { email: "queue3@example.com", consents: [], at: runAt });
  const definition = CampaignDefinition.parse({
    name: "New on the menu",
    status: "active",
    audience: { kind: "all_members" },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
    actions: [{ type: "send_message", channel: "email", templateId }],
  });
  const campaignId = await broadcastCampaign(db, tenantId, definition, runAt);
  const deps = {
    db,
    bus,
    log: silentLogger,
    programmes: new ProgrammeCache(db),
    queueMessages: campaignMessagesQueue(db, null),
  };

  const { done } = await passWhenLeaseFree(() => runScheduledJobs(deps, now, { tenantIds: [tenantId] }));
  expect(done["campaign-schedules"]).toBe(3);
  const steps = await db.campaignStep.findMany({ where: { campaignId } });
  const messages = await db.message.findMany({ where: { campaignId } });
  expect(messages.map((m) => m.customerId).sort()).toEqual([...reachable].sort());
  expect(messages.every((m) => (m.content as { subject: string }).subject === "New on the menu, Ada")).toBe(true);
  for (const customerId of reachable) {
    const step = steps.find((s) => s.customerId === customerId)!;
    const message = messages.find((m) => m.customerId === customerId)!;
    expect(step).toMatchObject({ status: "done", result: { messageId: message.id } });
    expect(message.stepKey).toBe(step.key);
    expect(step.doneAt).toEqual(now);
  }
  // No consent: refused when planned, as before; nothing is queued for them.
  expect(steps.find((s) => s.customerId === silent)).toMatchObject({ status: "skipped", reason: "no_consent" });
  expect(steps.filter((s) => s.status === "pending")).toEqual([]);

  await passWhenLeaseFree(() => runScheduledJobs(deps, new Date(now.getTime() + 60_000), { tenantIds: [tenantId] }));
  expect(await db.message.count({ where: { campaignId } })).toBe(2);
});
