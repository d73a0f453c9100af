import { insertCampaignEvents } from "@regulars/analytics";
import { CampaignEnrolled } from "@regulars/contracts";
import { type Db, type DbTx, withTransaction } from "@regulars/db";
import { newId } from "@regulars/ids";
import { outboxEventsOf } from "@regulars/ledger-store";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ActiveCampaignCache,
  type CampaignMessageRequest,
  campaignResults,
  enrolFromEvent,
  settleSkippedEnrolmentsOfMessages,
} from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  enrolmentsOf,
  event,
  HOUR,
  later,
  recordingQueue,
  runDueSteps,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// An enrolment announced `entered` whose only step is refused at send time reached no one: once settled skipped, its
// correction goes through the outbox and the analytics writer like the first announcement, and the results count the
// customer neither reached nor converted.

let db: Db;
let cache: ActiveCampaignCache;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
beforeAll(async () => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
  analytics = await testAnalytics();
});
afterAll(async () => {
  await analytics?.dispose();
  await db?.$disconnect();
});

const now = new Date();

/** The messages store's queueing as far as addresses go: no e-mail on file, nothing queued. */
const addressedQueue = async (tx: DbTx, input: CampaignMessageRequest) => {
  const [customer] = await tx.$queryRaw<{ email: string | null }[]>`
    SELECT email FROM customers WHERE id = ${input.customerId}`;
  return customer?.email ? recordingQueue(tx, input) : { messageId: null, skipped: "no_address" as const };
};

/** The tenant's `campaign.enrolled` events as the relay publishes them, each parsed as the analytics writer does. */
const announced = async (tenantId: string) =>
  (await outboxEventsOf(db, tenantId, "campaign.enrolled")).map((e) => CampaignEnrolled.parse(e.payload));

/** Three customers entered a one-e-mail campaign; one lost their address before it ran, one their consent after. */
async function world() {
  const { tenantId } = await runnerTenant(db);
  const [reached, moved, withdrew] = [
    await addCustomer(db, tenantId, { consents: ["email"] }),
    await addCustomer(db, tenantId, { consents: ["email"] }),
    await addCustomer(db, tenantId, { consents: ["email"] }),
  ];
  const segmentId = await addSegment(db, tenantId, [reached, moved, withdrew]);
  const campaignId = await addCampaign(db, tenantId, {
    audience: { kind: "none" },
    trigger: { type: "segment_entered", segmentId },
    actions: [{ type: "send_message", channel: "email", templateId: "tpl_0" }],
    limits: { perCustomer: { mode: "once" }, frequencyCaps: [] },
  });
  for (const customerId of [reached, moved, withdrew]) {
    const joined = event({
      id: newId("event"),
      tenantId,
      customerId,
      occurredAt: now.toISOString(),
      type: "segment.entered",
      segmentId,
      refresh: 1,
    });
    expect(await enrolFromEvent(db, cache, joined, now)).toMatchObject({ entered: 1 });
  }
  const entered = await announced(tenantId);

  await db.customer.update({ where: { id: moved }, data: { email: null } });
  expect((await runDueSteps(db, tenantId, now, { queueMessage: addressedQueue })).sort()).toEqual([
    "done",
    "done",
    "skipped",
  ]);
  // The sender's check found the consent withdrawn: the message is cancelled, and its enrolment settled.
  const step = (await stepsOf(db, campaignId)).find((s) => s.customerId === withdrew)!;
  const { messageId } = step.result as { messageId: string };
  await db.message.update({ where: { id: messageId }, data: { status: "cancelled", failureCode: "no_consent" } });
  await withTransaction(db, (tx) => settleSkippedEnrolmentsOfMessages(tx, [messageId]));

  const outcomes = Object.fromEntries((await enrolmentsOf(db, campaignId)).map((e) => [e.customerId, e.outcome]));
  expect(outcomes).toEqual({ [reached]: "entered", [moved]: "skipped", [withdrew]: "skipped" });
  const corrections = (await announced(tenantId)).filter((e) => e.outcome === "skipped");
  return { tenantId, campaignId, reached, moved, withdrew, entered, corrections };
}

describe("results of a campaign whose enrolments were settled skipped at send time", () => {
  it("count only the customer a step reached, once the corrections are written after the first announcements", async () => {
    const w = await world();
    expect(w.entered.map((e) => e.outcome)).toEqual(["entered", "entered", "entered"]);
    expect(w.corrections.map((e) => [e.customerId, e.id]).sort()).toEqual(
      w.entered
        .filter((e) => e.customerId !== w.reached)
        .map((e) => [e.customerId, `${e.id}:skipped`])
        .sort(),
    );
    await insertCampaignEvents(analytics, w.entered);
    const before = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(before.reach).toEqual({ entered: 3, control: 0 });

    await insertCampaignEvents(analytics, w.corrections);
    // Each of them bought the next hour: only the reached customer's purchase is a conversion.
    await analytics.insertTransactions(
      [w.reached, w.moved, w.withdrew].map((customerId, i) => ({
        tenantId: w.tenantId,
        transactionId: `txn_${i}_${customerId}`,
        externalId: `R-${i}`,
        type: "sale" as const,
        refundOf: null,
        occurredAt: later(now, HOUR).toISOString(),
        locationId: "store-1",
        channel: "pos",
        customerId,
        currency: "EUR",
        total: 1200,
        discountTotal: 0,
        points: 12,
        lines: [],
      })),
    );
    const after = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(after.reach).toEqual({ entered: 1, control: 0 });
    expect(after.messages.reached).toBe(1);
    expect(after.conversions.entered).toEqual({ customers: 1, converted: 1 });
  });

  it("keep the correction when a redelivered first announcement arrives in the same batch after it", async () => {
    const w = await world();
    await insertCampaignEvents(analytics, [...w.corrections, ...w.entered]);
    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results.reach).toEqual({ entered: 1, control: 0 });
  });

  it("keep the correction when the first announcement is redelivered in a later batch", async () => {
    const w = await world();
    await insertCampaignEvents(analytics, w.entered);
    await insertCampaignEvents(analytics, w.corrections);
    const corrected = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(corrected.reach).toEqual({ entered: 1, control: 0 });

    // Delivery is at least once: the relay republishes, or the writer's batch is redelivered after a crash.
    await insertCampaignEvents(analytics, w.entered);
    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results.reach).toEqual({ entered: 1, control: 0 });
    expect(results.messages.reached).toBe(1);
  });

  it("keep the correction when it is written before the first announcement", async () => {
    const w = await world();
    await insertCampaignEvents(analytics, w.corrections);
    await insertCampaignEvents(analytics, w.entered);
    const results = await campaignResults({ db, analytics }, w.tenantId, w.campaignId, { conversionDays: 14 });
    expect(results.reach).toEqual({ entered: 1, control: 0 });
  });
});
