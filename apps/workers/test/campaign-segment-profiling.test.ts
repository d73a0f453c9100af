import { runDueBroadcasts } from "@regulars/campaigns-store";
import { CampaignDefinition, type ConsentStatement, type SegmentDefinition } from "@regulars/contracts";
import { setConsents } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { silentLogger } from "@regulars/logger";
import { claimDueMessages, decideSends } from "@regulars/messages-store";
import { testDb, testTenant } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStepExecutor } from "../src/campaigns/step-executor.ts";
import { campaignMessagesQueue } from "../src/messages/campaign-queue.ts";
import { broadcastCampaign, messageCustomer, messageTemplate } from "./message-fixtures.ts";

// Profiling consent follows what a segment reads: a campaign over "customers without a date of birth" (scenario 4)
// reaches a member with marketing consent alone, one over "two orders in 30 days" skips that member with
// `no_profiling_consent`, at planning (the broadcast) and again right before sending (`decideSends`).

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

// A year ahead: the test's steps and messages are due then only, out of the way of senders of other test files.
const now = new Date(Date.now() + 365 * 86_400_000);
const noDateOfBirth: SegmentDefinition = { all: [{ type: "has_field", field: "date_of_birth", present: false }] };
const regulars: SegmentDefinition = { all: [{ type: "orders_count", window: "30d", op: "gte", value: 2 }] };
const emailMarketing: ConsentStatement[] = [{ channel: "email", purpose: "marketing", granted: true }];
const emailProfiling: ConsentStatement = { channel: "email", purpose: "profiling", granted: true };

async function segmentOf(tenantId: string, definition: SegmentDefinition, members: string[]) {
  const id = newId("segment");
  await db.segment.create({
    data: { id, tenantId, name: `seg ${id}`, kind: "definition", definition, createdBy: "test" },
  });
  await db.segmentMember.createMany({
    data: members.map((customerId) => ({ segmentId: id, customerId, tenantId, enteredAt: new Date() })),
  });
  return id;
}

/** A once-only e-mail broadcast to the segment, planned and its message steps queued by the step executor. */
async function broadcastTo(tenantId: string, segmentId: string, templateId: string) {
  const runAt = new Date(now.getTime() - 60_000);
  const definition = CampaignDefinition.parse({
    name: `To ${segmentId}`,
    status: "active",
    audience: { kind: "segment", segmentId },
    trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
    actions: [{ type: "send_message", channel: "email", templateId }],
  });
  const campaignId = await broadcastCampaign(db, tenantId, definition, runAt);
  await runDueBroadcasts({ db, tenantId, zone: "Europe/Warsaw", now });
  await createStepExecutor({
    db,
    log: silentLogger,
    publish: async () => {},
    now: () => now,
    tenantIds: [tenantId],
    programmes: { inForce: async () => null } as never,
    queueMessage: async () => {
      throw new Error("a message step went through the one-by-one path");
    },
    queueMessages: campaignMessagesQueue(db, null),
  }).runDue();
  const steps = await db.campaignStep.findMany({ where: { campaignId } });
  return { campaignId, steps: new Map(steps.map((s) => [s.customerId, [s.status, s.reason]])) };
}

/** What the sender would do with each of the tenant's due messages, by campaign and customer. */
async function sendDecisions(tenantId: string, at: Date) {
  const claimed = await claimDueMessages(db, { now: at, limit: 50, leaseMs: 1_000, tenantIds: [tenantId] });
  const decisions = await decideSends(db, claimed, { now: at });
  return new Map(
    claimed.map((m, i) => {
      const d = decisions[i]!;
      return [`${m.campaignId} ${m.customerId}`, d.action === "cancel" ? d.code : d.action];
    }),
  );
}

describe("profiling consent by what the segment reads", () => {
  it("a segment of attributes needs marketing consent only; a behavioural one needs profiling too, when planned and sent", async () => {
    const { tenantId } = await testTenant(db, "Profiling Grill");
    const templateId = await messageTemplate(db, tenantId, {
      channel: "email",
      language: "en",
      subject: "Complete your profile",
      format: "text",
      body: "Tell us your birthday.",
    });
    const marketingOnly = await messageCustomer(db, tenantId, {
      email: "marketing@example.com",
      consents: emailMarketing,
      at: new Date(),
    });
    const profiled = await messageCustomer(db, tenantId, {
      email: "profiled@example.com",
      consents: [...emailMarketing, emailProfiling],
      at: new Date(),
    });
    const attributes = await broadcastTo(
      tenantId,
      await segmentOf(tenantId, noDateOfBirth, [marketingOnly, profiled]),
      templateId,
    );
    const behaviour = await broadcastTo(
      tenantId,
      await segmentOf(tenantId, regulars, [marketingOnly, profiled]),
      templateId,
    );

    expect(attributes.steps.get(marketingOnly)).toEqual(["done", null]);
    expect(attributes.steps.get(profiled)).toEqual(["done", null]);
    expect(behaviour.steps.get(marketingOnly)).toEqual(["skipped", "no_profiling_consent"]);
    expect(behaviour.steps.get(profiled)).toEqual(["done", null]);

    // The profiled customer withdraws profiling after planning: only the behavioural campaign's message stops.
    await setConsents(
      db,
      tenantId,
      profiled,
      { consents: [{ ...emailProfiling, granted: false }] },
      { actor: "key_app", source: "app", now: new Date() },
    );
    const decisions = await sendDecisions(tenantId, new Date(now.getTime() + 60_000));
    expect(Object.fromEntries(decisions)).toEqual({
      [`${attributes.campaignId} ${marketingOnly}`]: "send",
      [`${attributes.campaignId} ${profiled}`]: "send",
      [`${behaviour.campaignId} ${profiled}`]: "no_profiling_consent",
    });
  });
});
