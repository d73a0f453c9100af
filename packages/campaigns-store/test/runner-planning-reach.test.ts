import { type CampaignEvent, insertCampaignEvents } from "@regulars/analytics";
import { isInControlGroup } from "@regulars/campaigns";
import type { CampaignEnrolled } from "@regulars/contracts";
import type { Db, DbTx } from "@regulars/db";
import { outboxEventsOf } from "@regulars/ledger-store";
import { isDeliverableAddress } from "@regulars/messaging";
import { ProgrammeCache } from "@regulars/programme";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CampaignMessageRequest,
  campaignResults,
  claimDueSteps,
  type QueueCampaignMessages,
  runDueBroadcasts,
  runMessageSteps,
} from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  DAY,
  enrolmentsOf,
  later,
  recordingQueue,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// Whom a broadcast counts as held out or as reached, from planning on: the control group holds out only customers the
// campaign could have reached, and a message refused as it is queued at planning settles its enrolment as the step
// executor does. Announced to ClickHouse as the analytics writer stores the outbox's events, counted by results.

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

const now = new Date();
const runAt = later(now, -60_000);

/** A broadcast due a minute ago to the segment's members, of one message on `channel`. */
function broadcast(tenantId: string, segmentId: string, channel: "push" | "email", controlShare?: number) {
  return addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "segment", segmentId },
      trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
      actions: [{ type: "send_message", channel, templateId: "tpl_news" }],
      ...(controlShare ? { controlGroup: { share: controlShare } } : {}),
    },
    { nextRunAt: runAt },
  );
}

/** The tenant's `campaign.enrolled` events from the outbox table, stored as the analytics writer would. */
async function announced(tenantId: string): Promise<CampaignEnrolled[]> {
  const events = (await outboxEventsOf(db, tenantId, "campaign.enrolled")).map((e) => e.payload as CampaignEnrolled);
  await insertCampaignEvents(analytics, events as CampaignEvent[]);
  return events;
}

const joinSegment = (tenantId: string, segmentId: string, members: string[]) =>
  db.segmentMember.createMany({
    data: members.map((customerId) => ({ segmentId, customerId, tenantId, enteredAt: later(now, -DAY) })),
  });

const reachOf = async (tenantId: string, campaignId: string) =>
  (await campaignResults({ db, analytics }, tenantId, campaignId, { conversionDays: 7 })).reach;

describe("the control group", () => {
  it("holds out only customers the campaign could reach; the others are skipped as if treated", async () => {
    const { tenantId } = await runnerTenant(db);
    const segmentId = await addSegment(db, tenantId, [], later(now, -DAY));
    const campaignId = await broadcast(tenantId, segmentId, "push", 0.5);
    const held = (id: string) => isInControlGroup(campaignId, id, 0.5);
    // Each group needs customers held out and customers treated, or the test says nothing.
    const drawn = (group: string[]) => group.some(held) && !group.every(held);
    const willing: string[] = [];
    const unwilling: string[] = [];
    while (willing.length < 6 || !drawn(willing))
      willing.push(await addCustomer(db, tenantId, { push: true, consents: ["push"] }));
    while (unwilling.length < 6 || !drawn(unwilling))
      unwilling.push(await addCustomer(db, tenantId, { push: true, consents: [] }));
    await joinSegment(tenantId, segmentId, [...willing, ...unwilling]);

    await runDueBroadcasts({ db, tenantId, zone: "Europe/Warsaw", now });

    const outcomes = new Map((await enrolmentsOf(db, campaignId)).map((e) => [e.customerId, [e.outcome, e.reason]]));
    for (const id of willing)
      expect(outcomes.get(id)).toEqual(held(id) ? ["control", "control_group"] : ["entered", null]);
    for (const id of unwilling) expect(outcomes.get(id)).toEqual(["skipped", "no_consent"]);
    const steps = (await stepsOf(db, campaignId)).filter((s) => unwilling.includes(s.customerId));
    expect(new Set(steps.map((s) => `${s.status}:${s.reason}`))).toEqual(new Set(["skipped:no_consent"]));

    const events = await announced(tenantId);
    expect(
      events
        .filter((e) => e.outcome === "control")
        .map((e) => e.customerId)
        .sort(),
    ).toEqual(willing.filter(held).sort());
    expect(await reachOf(tenantId, campaignId)).toEqual({
      entered: willing.filter((id) => !held(id)).length,
      control: willing.filter(held).length,
    });
  });
});

/** The messages store's queueing as far as addresses go: its own rule, so an e-mail that is no address queues nothing. */
const addressCheckingQueue: QueueCampaignMessages = async (tx: DbTx, inputs: CampaignMessageRequest[]) => {
  const results = [];
  for (const input of inputs) {
    const [customer] = await tx.$queryRaw<{ email: string | null }[]>`
      SELECT email FROM customers WHERE id = ${input.customerId}`;
    results.push(
      isDeliverableAddress("email", customer?.email)
        ? await recordingQueue(tx, input)
        : { messageId: null, skipped: "no_address" as const },
    );
  }
  return results;
};

describe("an address the queue would refuse", () => {
  it("reaches no one at planning: such customers end skipped whether drawn for the control group or not", async () => {
    const { tenantId } = await runnerTenant(db);
    const segmentId = await addSegment(db, tenantId, [], later(now, -DAY));
    const campaignId = await broadcast(tenantId, segmentId, "email", 0.5);
    const held = (id: string) => isInControlGroup(campaignId, id, 0.5);
    const drawn = (group: string[]) => group.some(held) && !group.every(held);
    const addressed: string[] = [];
    const malformed: string[] = [];
    while (addressed.length < 4 || !drawn(addressed))
      addressed.push(await addCustomer(db, tenantId, { consents: ["email"] }));
    while (malformed.length < 6 || !drawn(malformed)) {
      const id = await addCustomer(db, tenantId, { consents: ["email"] });
      // Present, so `email IS NOT NULL` holds, yet no address any provider takes.
      await db.customer.update({ where: { id }, data: { email: "not-an-address" } });
      malformed.push(id);
    }
    await joinSegment(tenantId, segmentId, [...addressed, ...malformed]);

    await runDueBroadcasts({ db, tenantId, zone: "Europe/Warsaw", now, queueDueMessages: addressCheckingQueue });

    const outcomes = new Map((await enrolmentsOf(db, campaignId)).map((e) => [e.customerId, [e.outcome, e.reason]]));
    for (const id of addressed)
      expect(outcomes.get(id)).toEqual(held(id) ? ["control", "control_group"] : ["entered", null]);
    for (const id of malformed) expect(outcomes.get(id)).toEqual(["skipped", "no_address"]);
    await announced(tenantId);
    expect(await reachOf(tenantId, campaignId)).toEqual({
      entered: addressed.filter((id) => !held(id)).length,
      control: addressed.filter(held).length,
    });
  });
});

/** Customers whose message the queue refuses for its address, whatever planning read (the store's check is its own). */
const refusedAtQueue = new Set<string>();
const refusingQueue: QueueCampaignMessages = async (tx: DbTx, inputs: CampaignMessageRequest[]) => {
  const results = [];
  for (const input of inputs)
    results.push(
      refusedAtQueue.has(input.customerId)
        ? { messageId: null, skipped: "no_address" as const }
        : await recordingQueue(tx, input),
    );
  return results;
};

describe("a message refused as it is queued", () => {
  /** A tenant with a reachable customer and one whose message the queue refuses, and a broadcast to both. */
  async function refusedAddress() {
    const { tenantId } = await runnerTenant(db);
    const good = await addCustomer(db, tenantId, { consents: ["email"] });
    const bad = await addCustomer(db, tenantId, { consents: ["email"] });
    refusedAtQueue.add(bad);
    const segmentId = await addSegment(db, tenantId, [good, bad], later(now, -DAY));
    const campaignId = await broadcast(tenantId, segmentId, "email");
    return { tenantId, good, bad, campaignId };
  }

  /** The enrolments' outcomes and their announcements, by customer, and what results count. */
  async function ending(setup: Awaited<ReturnType<typeof refusedAddress>>) {
    const { tenantId, good, bad, campaignId } = setup;
    const enrolments = await enrolmentsOf(db, campaignId);
    const events = await announced(tenantId);
    const of = (id: string) => ({
      enrolment: enrolments.filter((e) => e.customerId === id).map((e) => [e.outcome, e.reason]),
      announced: events.filter((e) => e.customerId === id).map((e) => [e.id.endsWith(":skipped"), e.outcome]),
    });
    return { good: of(good), bad: of(bad), reach: await reachOf(tenantId, campaignId) };
  }

  it("at planning ends its enrolment skipped and announced so, as the step executor does", async () => {
    const atPlanning = await refusedAddress();
    const run = await runDueBroadcasts({
      db,
      tenantId: atPlanning.tenantId,
      zone: "Europe/Warsaw",
      now,
      queueDueMessages: refusingQueue,
    });
    expect(run.acted).toBe(2);
    const planned = await ending(atPlanning);

    const byExecutor = await refusedAddress();
    await runDueBroadcasts({ db, tenantId: byExecutor.tenantId, zone: "Europe/Warsaw", now });
    const claimed = await claimDueSteps(db, { now, limit: 10, claimMs: 60_000, tenantIds: [byExecutor.tenantId] });
    const effects = { queueMessage: recordingQueue, queueMessages: refusingQueue };
    await runMessageSteps(db, claimed, { ...effects, programmes: new ProgrammeCache(db, 0) }, now);
    const executed = await ending(byExecutor);

    expect(planned.bad).toEqual({
      enrolment: [["skipped", "no_address"]],
      announced: [
        [false, "entered"],
        [true, "skipped"],
      ],
    });
    expect(planned.good).toEqual({ enrolment: [["entered", null]], announced: [[false, "entered"]] });
    expect(planned.reach).toEqual({ entered: 1, control: 0 });
    expect(planned).toEqual(executed);
  });
});
