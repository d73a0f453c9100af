import { type CampaignEvent, insertCampaignEvents } from "@regulars/analytics";
import type { Db } from "@regulars/db";
import { newId } from "@regulars/ids";
import { testAnalytics, testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ActiveCampaignCache, campaignResults, type EnrolResult, enrolFromEvent } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  enrolmentsOf,
  event,
  HOUR,
  later,
  messagesOf,
  runDueSteps,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// An enrolment in which no step runs (a push-only campaign to a customer without push consent) reached no one: the
// results must not count the customer as reached or treated, and under `once` it must not stand in the way of the
// campaign once the customer consents. Enrolled through the runner, announced to ClickHouse as the analytics writer
// stores the outbox's events, counted by `campaignResults`.

let db: Db;
let analytics: Awaited<ReturnType<typeof testAnalytics>>;
let cache: ActiveCampaignCache;
beforeAll(async () => {
  db = testDb();
  analytics = await testAnalytics();
  cache = new ActiveCampaignCache(db, 0);
});
afterAll(async () => {
  await analytics?.dispose();
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

/** What the analytics writer would store of the enrolments' events. */
const announce = (result: EnrolResult) =>
  insertCampaignEvents(
    analytics,
    result.outbox.map((o) => o.payload as CampaignEvent),
  );

describe("an enrolment whose every step is skipped", () => {
  it("is not reached or treated, and a later occurrence under `once` still gets the push once consent is given", async () => {
    const { tenantId } = await runnerTenant(db);
    const silent = await addCustomer(db, tenantId, { push: true });
    const willing = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    const segmentId = await addSegment(db, tenantId, [silent, willing]);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "segment_entered", segmentId },
      actions: [{ type: "send_message", channel: "push", templateId: "tpl_hello" }],
      limits: { perCustomer: { mode: "once" }, frequencyCaps: [] },
    });

    const silentFirst = joined(tenantId, silent, segmentId, now);
    const skipped = await enrolFromEvent(db, cache, silentFirst, now);
    expect(skipped).toMatchObject({ entered: 0, control: 0, refused: 0, skipped: 1, outbox: [] });
    const reached = await enrolFromEvent(db, cache, joined(tenantId, willing, segmentId, now), now);
    expect(reached).toMatchObject({ entered: 1, skipped: 0 });
    await announce(skipped);
    await announce(reached);
    // A redelivery of the skipped occurrence plans nothing new.
    expect(await enrolFromEvent(db, cache, silentFirst, now)).toMatchObject({ entered: 0, skipped: 0, outbox: [] });

    const enrolments = await enrolmentsOf(db, campaignId);
    expect(enrolments.find((e) => e.customerId === silent)).toMatchObject({ outcome: "skipped", reason: "no_consent" });
    expect(enrolments.find((e) => e.customerId === willing)).toMatchObject({ outcome: "entered", reason: null });
    // The skipped step stays on record with its reason, under its key.
    const steps = await stepsOf(db, campaignId);
    const stepsOfCustomer = (customer: string) =>
      steps.filter((s) => s.customerId === customer).map((s) => [s.status, s.reason]);
    expect(stepsOfCustomer(silent)).toEqual([["skipped", "no_consent"]]);
    expect(stepsOfCustomer(willing)).toEqual([["pending", null]]);
    expect(await runDueSteps(db, tenantId, now)).toEqual(["done"]);

    const first = await campaignResults({ db, analytics }, tenantId, campaignId, { conversionDays: 7 });
    expect(first.reach).toEqual({ entered: 1, control: 0 });
    expect(first.messages.reached).toBe(1);
    expect(first.conversions.entered.customers).toBe(1);

    // The customer grants push consent and joins the segment again: the campaign reaches them this time, once.
    const grantedAt = later(now, HOUR);
    for (const purpose of ["marketing", "profiling"])
      await db.customerConsent.create({
        data: {
          id: newId("event"),
          tenantId,
          customerId: silent,
          channel: "push",
          purpose,
          granted: true,
          source: "test",
          occurredAt: grantedAt,
        },
      });
    const rejoinedAt = later(now, 2 * HOUR);
    const second = await enrolFromEvent(db, cache, joined(tenantId, silent, segmentId, rejoinedAt), rejoinedAt);
    expect(second).toMatchObject({ entered: 1, refused: 0, skipped: 0 });
    expect(second.outbox.map((o) => o.payload)).toEqual([
      expect.objectContaining({ type: "campaign.enrolled", customerId: silent, outcome: "entered" }),
    ]);
    await announce(second);
    expect(await runDueSteps(db, tenantId, rejoinedAt)).toEqual(["done"]);
    expect((await messagesOf(db, tenantId)).map((m) => m.customerId).sort()).toEqual([silent, willing].sort());

    // `once` still holds for whoever the campaign reached.
    const again = later(now, 3 * HOUR);
    for (const customer of [silent, willing])
      expect(await enrolFromEvent(db, cache, joined(tenantId, customer, segmentId, again), again)).toMatchObject({
        entered: 0,
        refused: 1,
      });
    const refusals = (await enrolmentsOf(db, campaignId)).filter((e) => e.outcome === "refused");
    expect(refusals.map((e) => e.reason)).toEqual(["already_received", "already_received"]);

    const after = await campaignResults({ db, analytics }, tenantId, campaignId, { conversionDays: 7 });
    expect(after.reach).toEqual({ entered: 2, control: 0 });
    expect(after.messages.reached).toBe(2);
  });

  it("a campaign with a step that runs still enrols as entered when its message is skipped", async () => {
    const { tenantId } = await runnerTenant(db);
    const silent = await addCustomer(db, tenantId, { push: true });
    const segmentId = await addSegment(db, tenantId, [silent]);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "segment_entered", segmentId },
      actions: [
        { type: "award_points", points: 5, reason: "Hello" },
        { type: "send_message", channel: "push", templateId: "tpl_hello" },
      ],
    });
    const result = await enrolFromEvent(db, cache, joined(tenantId, silent, segmentId, now), now);
    expect(result).toMatchObject({ entered: 1, skipped: 0 });
    await announce(result);
    expect((await stepsOf(db, campaignId)).map((s) => [s.status, s.reason])).toEqual([
      ["pending", null],
      ["skipped", "no_consent"],
    ]);
    const results = await campaignResults({ db, analytics }, tenantId, campaignId, { conversionDays: 7 });
    expect(results.reach).toEqual({ entered: 1, control: 0 });
    expect(results.messages.reached).toBe(1);
  });
});
