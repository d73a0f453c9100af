import type { Db, DbTx } from "@regulars/db";
import { newId } from "@regulars/ids";
import { outboxEventsOf } from "@regulars/ledger-store";
import { ProgrammeCache } from "@regulars/programme";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ActiveCampaignCache,
  type CampaignMessageRequest,
  claimDueSteps,
  enrolFromEvent,
  type QueueCampaignMessages,
  runMessageSteps,
} from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  DAY,
  enrolmentsOf,
  event,
  HOUR,
  later,
  recordingQueue,
  runDueSteps,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// An enrolment planned to run whose every step is refused when it comes to it (consent withdrawn, address removed,
// caps used since planning) reached no one, as one skipped at planning: it ends `skipped`, and under `once` a later
// occurrence is not refused for it. Only once no step of it can run any more.

let db: Db;
let cache: ActiveCampaignCache;
beforeAll(() => {
  db = testDb();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();

const joined = (tenantId: string, customerId: string, segmentId: string, at: Date) =>
  event({
    id: newId("event"),
    tenantId,
    customerId,
    occurredAt: at.toISOString(),
    type: "segment.entered",
    segmentId,
    refresh: 1,
  });

/** The messages store's queueing as far as addresses go: no e-mail on file, nothing queued. */
const addressedQueue = async (tx: DbTx, input: CampaignMessageRequest) => {
  const [customer] = await tx.$queryRaw<{ email: string | null }[]>`
    SELECT email FROM customers WHERE id = ${input.customerId}`;
  return customer?.email ? recordingQueue(tx, input) : { messageId: null, skipped: "no_address" as const };
};

/** What the sender's check records when a queued message may not go any more. */
const cancelMessageOf = (stepKey: string, code: string) =>
  db.$executeRaw`UPDATE messages SET status = 'cancelled', failure_code = ${code} WHERE step_key = ${stepKey}`;

async function emailCampaign(tenantId: string, segmentId: string, steps: number) {
  return addCampaign(db, tenantId, {
    audience: { kind: "none" },
    trigger: { type: "segment_entered", segmentId },
    actions: Array.from({ length: steps }, (_, i) => ({
      type: "send_message" as const,
      channel: "email" as const,
      templateId: `tpl_${i}`,
      ...(i ? { wait: { amount: 1, unit: "days" as const } } : {}),
    })),
    limits: { perCustomer: { mode: "once" }, frequencyCaps: [] },
  });
}

describe("an enrolment whose every step is refused at send time", () => {
  it("stays entered while a later step may still run, and ends skipped when none ran", async () => {
    const { tenantId } = await runnerTenant(db);
    const customerId = await addCustomer(db, tenantId, { consents: ["email"] });
    const segmentId = await addSegment(db, tenantId, [customerId]);
    const campaignId = await emailCampaign(tenantId, segmentId, 2);

    expect(await enrolFromEvent(db, cache, joined(tenantId, customerId, segmentId, now), now)).toMatchObject({
      entered: 1,
    });
    expect(await runDueSteps(db, tenantId, now)).toEqual(["done"]);
    const [first] = await stepsOf(db, campaignId);
    await cancelMessageOf(first!.key, "no_consent");

    // The second message is still to go: the customer may yet be reached, so `once` still holds.
    const soon = later(now, HOUR);
    expect(await enrolFromEvent(db, cache, joined(tenantId, customerId, segmentId, soon), soon)).toMatchObject({
      entered: 0,
      refused: 1,
    });
    expect((await enrolmentsOf(db, campaignId)).map((e) => e.outcome).sort()).toEqual(["entered", "refused"]);

    await db.customer.update({ where: { id: customerId }, data: { email: null } });
    const nextDay = later(now, DAY + HOUR);
    expect(await runDueSteps(db, tenantId, nextDay, { queueMessage: addressedQueue })).toEqual(["skipped"]);
    const settled = (await enrolmentsOf(db, campaignId)).filter((e) => e.outcome !== "refused");
    expect(settled.map((e) => [e.outcome, e.reason])).toEqual([["skipped", "no_consent"]]);

    // Reachable again: nothing of the campaign reached them, so a new occurrence enters.
    await db.customer.update({ where: { id: customerId }, data: { email: `${customerId}@example.com` } });
    const again = later(now, 2 * DAY);
    expect(await enrolFromEvent(db, cache, joined(tenantId, customerId, segmentId, again), again)).toMatchObject({
      entered: 1,
      refused: 0,
    });
  });

  it("is announced again as skipped, which no campaign listening to enrolments enters anyone for", async () => {
    const { tenantId } = await runnerTenant(db);
    const customerId = await addCustomer(db, tenantId, { consents: ["email"] });
    const segmentId = await addSegment(db, tenantId, [customerId]);
    const campaignId = await emailCampaign(tenantId, segmentId, 1);
    const followUp = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "domain_event", eventType: "campaign.enrolled", conditions: [] },
      actions: [{ type: "award_points", points: 5, reason: "Thanks for joining" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    await enrolFromEvent(db, cache, joined(tenantId, customerId, segmentId, now), now);
    await db.customer.update({ where: { id: customerId }, data: { email: null } });
    expect(await runDueSteps(db, tenantId, now, { queueMessage: addressedQueue })).toEqual(["skipped"]);

    const [enrolment] = await enrolmentsOf(db, campaignId);
    const announced = (await outboxEventsOf(db, tenantId, "campaign.enrolled")).map((e) => event(e.payload as never));
    expect(announced).toEqual([
      expect.objectContaining({ id: `campaign-enrolled:${enrolment!.id}`, outcome: "entered" }),
      expect.objectContaining({
        id: `campaign-enrolled:${enrolment!.id}:skipped`,
        enrolmentId: enrolment!.id,
        occurredAt: now.toISOString(),
        outcome: "skipped",
      }),
    ]);
    const [first, correction] = announced;
    expect(await enrolFromEvent(db, cache, correction!, now)).toMatchObject({ entered: 0 });
    expect(await enrolFromEvent(db, cache, first!, now)).toMatchObject({ entered: 1 });
    expect(await enrolmentsOf(db, followUp)).toHaveLength(1);
  });

  it("ends skipped when its only message is refused in a batch of the executor", async () => {
    const { tenantId } = await runnerTenant(db);
    const moved = await addCustomer(db, tenantId, { consents: ["email"] });
    const stayed = await addCustomer(db, tenantId, { consents: ["email"] });
    const segmentId = await addSegment(db, tenantId, [moved, stayed]);
    const campaignId = await emailCampaign(tenantId, segmentId, 1);
    for (const customer of [moved, stayed])
      await enrolFromEvent(db, cache, joined(tenantId, customer, segmentId, now), now);
    await db.customer.update({ where: { id: moved }, data: { email: null } });
    const queueMessages: QueueCampaignMessages = async (tx, inputs) => {
      const out = [];
      for (const input of inputs) out.push(await addressedQueue(tx, input));
      return out;
    };
    const claimed = await claimDueSteps(db, { now, limit: 10, claimMs: 60_000, tenantIds: [tenantId] });
    const effects = { queueMessage: addressedQueue, queueMessages, programmes: new ProgrammeCache(db, 0) };
    expect((await runMessageSteps(db, claimed, effects, now)).map((o) => o.outcome).sort()).toEqual([
      "done",
      "skipped",
    ]);
    const outcomes = (await enrolmentsOf(db, campaignId)).map((e) => [e.customerId, e.outcome, e.reason]);
    expect(outcomes.sort()).toEqual(
      [
        [moved, "skipped", "no_address"],
        [stayed, "entered", null],
      ].sort(),
    );
    const corrections = (await outboxEventsOf(db, tenantId, "campaign.enrolled")).filter((e) =>
      e.id.endsWith(":skipped"),
    );
    expect(corrections.map((e) => e.payload)).toEqual([
      expect.objectContaining({ customerId: moved, outcome: "skipped" }),
    ]);
  });

  it("is settled before the customer is planned again when the sender cancelled its only message", async () => {
    const { tenantId } = await runnerTenant(db);
    const capped = await addCustomer(db, tenantId, { consents: ["email"] });
    const ended = await addCustomer(db, tenantId, { consents: ["email"] });
    const segmentId = await addSegment(db, tenantId, [capped, ended]);
    const campaignId = await emailCampaign(tenantId, segmentId, 1);
    for (const customer of [capped, ended])
      await enrolFromEvent(db, cache, joined(tenantId, customer, segmentId, now), now);
    expect(await runDueSteps(db, tenantId, now)).toEqual(["done", "done"]);
    const steps = await stepsOf(db, campaignId);
    await cancelMessageOf(steps.find((s) => s.customerId === capped)!.key, "capped");
    // Not a reason of the customer's: the campaign was ended, and that enrolment stays as it was.
    await cancelMessageOf(steps.find((s) => s.customerId === ended)!.key, "cancelled");

    const again = later(now, HOUR);
    for (const [customer, entered] of [
      [capped, 1],
      [ended, 0],
    ] as const)
      expect(await enrolFromEvent(db, cache, joined(tenantId, customer, segmentId, again), again)).toMatchObject({
        entered,
        refused: 1 - entered,
      });
    const outcomes = (await enrolmentsOf(db, campaignId)).map((e) => [e.customerId, e.outcome, e.reason]);
    expect(outcomes.filter(([c]) => c === capped).map(([, o, r]) => [o, r])).toEqual(
      expect.arrayContaining([
        ["skipped", "capped"],
        ["entered", null],
      ]),
    );
    expect(outcomes.filter(([c]) => c === ended).map(([, o]) => o)).toEqual(
      expect.arrayContaining(["entered", "refused"]),
    );
  });
});
