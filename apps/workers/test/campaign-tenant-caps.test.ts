import { publishMany } from "@regulars/bus";
import { CampaignDefinition } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { createMetricsRegistry, silentLogger } from "@regulars/logger";
import { ProgrammeCache } from "@regulars/programme";
import { setTenantFrequencyCaps } from "@regulars/tenancy";
import { eventually, testBus, testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningWorkers, runScheduledJobs, startWorkers } from "../src/index.ts";
import { campaignMessagesQueue } from "../src/messages/campaign-queue.ts";
import { broadcastCampaign, messageCustomer, messageTemplate } from "./message-fixtures.ts";
import { passWhenLeaseFree } from "./scheduled-pass.ts";

// The tenant's own cap ("one marketing message per customer a week, across campaigns") holds for a scheduled
// broadcast and for a campaign a segment refresh sets off, as it does for the campaigns' own caps: a customer another
// campaign wrote to this week is skipped as `capped`, one it did not gets the message. Neither campaign has a cap.

const DAY = 86_400_000;
const weekly = { max: 1, windowHours: 7 * 24 };

let bus: Awaited<ReturnType<typeof testBus>>;
let db: Db;
let workers: RunningWorkers | undefined;
beforeAll(async () => {
  bus = await testBus();
  db = testDb();
});
afterAll(async () => {
  await workers?.stop();
  await bus?.dispose();
  await db?.$disconnect();
});

/** Another campaign of the tenant: a once-only e-mail broadcast that ran at `ranAt`, nothing left to run. */
async function earlierCampaign(tenantId: string, templateId: string, ranAt: Date) {
  const definition = CampaignDefinition.parse({
    name: "Last week's news",
    status: "active",
    audience: { kind: "all_members" },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: ranAt.toISOString() } },
    actions: [{ type: "send_message", channel: "email", templateId }],
  });
  const id = await broadcastCampaign(db, tenantId, definition, ranAt);
  await db.campaign.update({ where: { id }, data: { nextRunAt: null } });
  return id;
}

/** A capped tenant, an e-mail template, and two reachable customers: one another campaign e-mailed two days ago. */
async function cappedTenant(name: string) {
  const { tenantId } = await testTenant(db, name);
  await setTenantFrequencyCaps(db, tenantId, [weekly], "test");
  const now = new Date();
  const templateId = await messageTemplate(db, tenantId, {
    channel: "email",
    language: "en",
    subject: "This week",
    format: "text",
    body: "Come by.",
  });
  const at = new Date(now.getTime() - 3 * DAY);
  const written = await messageCustomer(db, tenantId, { email: "written@example.com", at });
  const fresh = await messageCustomer(db, tenantId, { email: "fresh@example.com", at });
  const sentAt = new Date(now.getTime() - 2 * DAY);
  await db.message.create({
    data: {
      id: newId("message"),
      tenantId,
      customerId: written,
      campaignId: await earlierCampaign(tenantId, templateId, sentAt),
      channel: "email",
      language: "en",
      toAddress: "written@example.com",
      content: {},
      sendAt: sentAt,
      nextAttemptAt: sentAt,
      status: "sent",
    },
  });
  return { tenantId, templateId, written, fresh, now };
}

/** Each customer's message step of the campaign, and who it queued a message for. */
async function outcome(campaignId: string) {
  const steps = await db.campaignStep.findMany({ where: { campaignId } });
  const messages = await db.message.findMany({ where: { campaignId } });
  return {
    steps: Object.fromEntries(steps.map((s) => [s.customerId, [s.status, s.reason]])),
    messaged: messages.map((m) => m.customerId),
  };
}

it("a scheduled broadcast leaves out a customer the tenant's cap holds back, and writes to the rest", async () => {
  const { tenantId, templateId, written, fresh, now } = await cappedTenant("Tenant Cap Broadcast Grill");
  const runAt = new Date(now.getTime() - 60_000);
  const definition = CampaignDefinition.parse({
    name: "Weekend menu",
    status: "active",
    audience: { kind: "all_members" },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
    actions: [{ type: "send_message", channel: "email", templateId }],
  });
  const campaignId = await broadcastCampaign(db, tenantId, definition, runAt);
  // No `tenantCaps` reader: the pass reads the caps from Postgres itself.
  const deps = {
    db,
    bus,
    log: silentLogger,
    programmes: new ProgrammeCache(db),
    queueMessages: campaignMessagesQueue(db, null),
  };

  const { done } = await passWhenLeaseFree(() => runScheduledJobs(deps, now, { tenantIds: [tenantId] }));
  expect(done.failed).toBeUndefined();
  expect(await outcome(campaignId)).toEqual({
    steps: { [written]: ["skipped", "capped"], [fresh]: ["done", null] },
    messaged: [fresh],
  });
});

it("a campaign on entering a segment leaves out a customer the tenant's cap holds back, and writes to the rest", async () => {
  const { tenantId, templateId, written, fresh, now } = await cappedTenant("Tenant Cap Segment Grill");
  const segmentId = newId("segment");
  await db.segment.create({
    data: {
      id: segmentId,
      tenantId,
      name: "No birthday yet",
      kind: "definition",
      definition: { all: [{ type: "has_field", field: "date_of_birth", present: false }] },
      createdBy: "test",
    },
  });
  const campaignId = newId("campaign");
  const definition = CampaignDefinition.parse({
    name: "Tell us your birthday",
    status: "active",
    audience: { kind: "none" },
    trigger: { type: "segment_entered", segmentId },
    actions: [{ type: "send_message", channel: "email", templateId }],
  });
  await db.campaign.create({
    data: {
      id: campaignId,
      tenantId,
      name: definition.name,
      status: "active",
      triggerType: "segment_entered",
      version: 1,
      createdBy: "test",
    },
  });
  await db.campaignVersion.create({ data: { tenantId, campaignId, version: 1, definition, createdBy: "test" } });

  // What a refresh announces for the two customers it found in the segment (materialise.ts's events).
  const refresh = 1;
  await publishMany(
    bus.js,
    [written, fresh].map((customerId) => ({
      subject: bus.topology.subjects.domain(tenantId, "segment.entered"),
      msgId: `segment.entered:${segmentId}:${customerId}:${refresh}`,
      payload: {
        type: "segment.entered",
        id: `segment.entered:${segmentId}:${customerId}:${refresh}`,
        tenantId,
        customerId,
        segmentId,
        refresh,
        occurredAt: now.toISOString(),
      },
    })),
  );
  // The worker's own caps reader (the process's cache over Postgres), as in production.
  workers = await startWorkers({
    db,
    bus,
    log: silentLogger,
    registry: createMetricsRegistry("test"),
    enabled: ["campaigns"],
    campaigns: { pollMs: 100, tenantIds: [tenantId] },
  });

  const planned = await eventually("both entries are planned", async () => {
    const o = await outcome(campaignId);
    return Object.keys(o.steps).length === 2 && o.steps[fresh]?.[0] === "done" ? o : undefined;
  });
  expect(planned).toEqual({
    steps: { [written]: ["skipped", "capped"], [fresh]: ["done", null] },
    messaged: [fresh],
  });
});
