import type { CampaignAction } from "@regulars/contracts";
import { newId } from "@regulars/ids";
import { awardBonusPoints } from "@regulars/ledger-store";
import { ProgrammeCache, programmeInForce } from "@regulars/programme";
import { describe, expect, it } from "vitest";
import {
  claimDueSteps,
  createTemplate,
  enrolFromEvent,
  type QueueCampaignMessages,
  runMessageSteps,
  updateCampaign,
} from "../src/index.ts";
import { ACTOR, emailVariant, smsVariant } from "./admin-fixtures.ts";
import {
  addCampaign,
  addCustomer,
  couponCampaign,
  enrolmentsOf,
  event,
  HOUR,
  later,
  messagesOf,
  movementsOf,
  recordingQueue,
  runDueSteps,
  runnerDb,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// "Save a new version" reaches the steps already planned: a pending step runs the current version's action at its
// position (the amount, coupon or template the marketer fixed) at the time it was planned for; one the current
// version no longer has, or has as another kind of action, is skipped `removed_by_edit`.

const { db, cache } = runnerDb();

const now = new Date();
const MINUTE = 60_000;

const registered = (tenantId: string, customerId: string) =>
  event({
    id: newId("event"),
    type: "customer.created",
    tenantId,
    customerId,
    occurredAt: now.toISOString(),
    via: "app",
    fields: [],
  });

const welcome = (actions: CampaignAction[]) => ({
  name: "Welcome",
  status: "active" as const,
  audience: { kind: "none" as const },
  trigger: { type: "registered" as const },
  actions,
});

/** A registration campaign planned for one new customer, then saved anew a minute later with `edited` actions. */
async function plannedThenEdited(tenantId: string, planned: CampaignAction[], edited: CampaignAction[]) {
  const campaignId = await addCampaign(db, tenantId, welcome(planned));
  const customerId = await addCustomer(db, tenantId, { consents: ["email", "sms"], phone: true });
  await enrolFromEvent(db, cache, registered(tenantId, customerId), now);
  await updateCampaign(db, tenantId, campaignId, welcome(edited), ACTOR, later(now, MINUTE));
  return { campaignId, customerId };
}

const stepStates = async (campaignId: string) =>
  (await stepsOf(db, campaignId)).map((s) => [s.stepIndex, s.status, s.reason]);

describe("a step planned before the campaign was saved anew", () => {
  it("awards the current version's points, at the time it was planned for", async () => {
    const { tenantId } = await runnerTenant(db);
    const hours = (amount: number) => ({ unit: "hours" as const, amount });
    const { campaignId } = await plannedThenEdited(
      tenantId,
      [{ type: "award_points", points: 5000, reason: "Welcome", wait: hours(2) }],
      // The wait changed too: the step's time was fixed when it was planned, and stays.
      [{ type: "award_points", points: 50, reason: "Welcome bonus", wait: hours(10) }],
    );
    expect(await runDueSteps(db, tenantId, later(now, HOUR))).toEqual([]);
    expect(await runDueSteps(db, tenantId, later(now, 2 * HOUR + 1_000))).toEqual(["done"]);
    expect((await movementsOf(db, tenantId)).map((m) => Number(m.amount))).toEqual([50]);
    expect((await stepsOf(db, campaignId)).map((s) => s.result)).toEqual([expect.objectContaining({ points: 50 })]);
  });

  it("records the points the ledger posted when a step retried after a crash meets an edit", async () => {
    const { tenantId } = await runnerTenant(db);
    const welcomeOf = (points: number) =>
      welcome([{ type: "award_points", points, reason: "Welcome", wait: { unit: "hours", amount: 2 } }]);
    const campaignId = await addCampaign(db, tenantId, welcomeOf(5000));
    const customerId = await addCustomer(db, tenantId, {});
    await enrolFromEvent(db, cache, registered(tenantId, customerId), now);
    const [step] = await stepsOf(db, campaignId);
    // The first attempt's award committed (the ledger's own transaction); the worker died before marking the step.
    const at = later(now, 2 * HOUR + 1_000);
    const programme = (await programmeInForce(db, tenantId, at))!;
    const first = { customerId, points: 5000, reason: "Welcome", idempotencyKey: step!.key };
    await awardBonusPoints(db, tenantId, `campaign:${campaignId}`, first, programme, at);
    await updateCampaign(db, tenantId, campaignId, welcomeOf(50), ACTOR, later(at, MINUTE));
    expect(await runDueSteps(db, tenantId, later(at, 2 * MINUTE))).toEqual(["done"]);
    // The step's result is in the customer's data export: it says what they were given.
    expect((await movementsOf(db, tenantId)).map((m) => Number(m.amount))).toEqual([5000]);
    expect((await stepsOf(db, campaignId)).map((s) => s.result)).toEqual([expect.objectContaining({ points: 5000 })]);
  });

  it("issues the coupon the current version names", async () => {
    const { tenantId } = await runnerTenant(db);
    const [typo, meant] = [await couponCampaign(db, tenantId, "FRIES"), await couponCampaign(db, tenantId, "SHAKE")];
    const wait = { unit: "hours" as const, amount: 1 };
    const { campaignId } = await plannedThenEdited(
      tenantId,
      [{ type: "issue_coupon", couponCampaignId: typo, wait }],
      [{ type: "issue_coupon", couponCampaignId: meant, wait }],
    );
    expect(await runDueSteps(db, tenantId, later(now, HOUR + 1_000))).toEqual(["done"]);
    expect((await db.walletCoupon.findMany({ where: { tenantId } })).map((c) => c.campaignId)).toEqual([meant]);
    expect(await stepStates(campaignId)).toEqual([[0, "done", null]]);
  });

  it("is skipped removed_by_edit when the current version has another kind of step there, or none", async () => {
    const { tenantId } = await runnerTenant(db);
    const coupon = await couponCampaign(db, tenantId);
    const wait = { unit: "hours" as const, amount: 1 };
    const { campaignId } = await plannedThenEdited(
      tenantId,
      [
        { type: "award_points", points: 100, reason: "Welcome", wait },
        { type: "award_points", points: 200, reason: "Welcome again", wait },
      ],
      [{ type: "issue_coupon", couponCampaignId: coupon, wait }],
    );
    expect(await runDueSteps(db, tenantId, later(now, HOUR + 1_000))).toEqual(["skipped"]);
    expect(await runDueSteps(db, tenantId, later(now, 2 * HOUR + 1_000))).toEqual(["skipped"]);
    expect(await stepStates(campaignId)).toEqual([
      [0, "skipped", "removed_by_edit"],
      [1, "skipped", "removed_by_edit"],
    ]);
    expect(await movementsOf(db, tenantId)).toEqual([]);
    expect(await db.walletCoupon.count({ where: { tenantId } })).toBe(0);
    // Nothing reached the customer and nothing is left to run: the enrolment ends, out of reach and results.
    const enrolments = await enrolmentsOf(db, campaignId);
    expect(enrolments.map((e) => [e.outcome, e.reason])).toEqual([["skipped", "removed_by_edit"]]);
    const corrected = await db.$queryRaw<{ payload: { outcome: string } }[]>`
      SELECT payload FROM outbox_events WHERE id = ${`campaign-enrolled:${enrolments[0]!.id}:skipped`}`;
    expect(corrected.map((c) => c.payload.outcome)).toEqual(["skipped"]);
  });

  it("keeps the enrolment entered when a step before the removed one reached the customer", async () => {
    const { tenantId } = await runnerTenant(db);
    const wait = { unit: "hours" as const, amount: 1 };
    const { campaignId } = await plannedThenEdited(
      tenantId,
      [
        { type: "award_points", points: 100, reason: "Welcome", wait },
        { type: "award_points", points: 200, reason: "Welcome again", wait },
      ],
      [{ type: "award_points", points: 100, reason: "Welcome", wait }],
    );
    expect(await runDueSteps(db, tenantId, later(now, HOUR + 1_000))).toEqual(["done"]);
    expect(await runDueSteps(db, tenantId, later(now, 2 * HOUR + 1_000))).toEqual(["skipped"]);
    expect((await enrolmentsOf(db, campaignId)).map((e) => e.outcome)).toEqual(["entered"]);
  });

  it("sends the current version's template, one step at a time", async () => {
    const { tenantId } = await runnerTenant(db);
    const [typo, meant] = await emailTemplates(tenantId);
    const wait = { unit: "hours" as const, amount: 1 };
    await plannedThenEdited(
      tenantId,
      [{ type: "send_message", channel: "email", templateId: typo, wait }],
      [{ type: "send_message", channel: "email", templateId: meant, wait }],
    );
    expect(await runDueSteps(db, tenantId, later(now, HOUR + 1_000))).toEqual(["done"]);
    expect((await messagesOf(db, tenantId)).map((m) => m.templateId)).toEqual([meant]);
  });

  it("in a batch, sends the current template and skips a message moved to another channel", async () => {
    const { tenantId } = await runnerTenant(db);
    const [typo, meant] = await emailTemplates(tenantId);
    const sms = await createTemplate(db, tenantId, { name: "Text", channel: "sms", variants: [smsVariant()] }, ACTOR);
    const wait = { unit: "hours" as const, amount: 1 };
    const fixed = await plannedThenEdited(
      tenantId,
      [{ type: "send_message", channel: "email", templateId: typo, wait }],
      [{ type: "send_message", channel: "email", templateId: meant, wait }],
    );
    const moved = await plannedThenEdited(
      tenantId,
      [{ type: "send_message", channel: "email", templateId: typo, wait }],
      [{ type: "send_message", channel: "sms", templateId: sms.id, wait }],
    );
    const at = later(now, HOUR + 1_000);
    const queueMessages: QueueCampaignMessages = async (tx, inputs) => {
      const out = [];
      for (const input of inputs) out.push(await recordingQueue(tx, input));
      return out;
    };
    const claimed = await claimDueSteps(db, { now: at, limit: 10, claimMs: MINUTE, tenantIds: [tenantId] });
    const effects = { queueMessage: recordingQueue, queueMessages, programmes: new ProgrammeCache(db, 0) };
    const ran = await runMessageSteps(db, claimed, effects, at);
    expect(ran.map((r) => [r.step.campaignId, r.outcome]).sort()).toEqual(
      [
        [fixed.campaignId, "done"],
        [moved.campaignId, "skipped"],
      ].sort(),
    );
    expect((await messagesOf(db, tenantId)).map((m) => [m.campaignId, m.templateId])).toEqual([
      [fixed.campaignId, meant],
    ]);
    expect(await stepStates(moved.campaignId)).toEqual([[0, "skipped", "removed_by_edit"]]);
    expect((await enrolmentsOf(db, moved.campaignId)).map((e) => [e.outcome, e.reason])).toEqual([
      ["skipped", "removed_by_edit"],
    ]);
    expect((await enrolmentsOf(db, fixed.campaignId)).map((e) => e.outcome)).toEqual(["entered"]);
  });
});

const emailTemplates = async (tenantId: string) => {
  const make = (name: string) =>
    createTemplate(db, tenantId, { name, channel: "email", variants: [emailVariant()] }, ACTOR).then((t) => t.id);
  return [await make("Welcom"), await make("Welcome")] as const;
};

it("fails and is tried again, running nothing, when this release cannot read the current version's step", async () => {
  const { tenantId } = await runnerTenant(db);
  const wait = { unit: "hours" as const, amount: 1 };
  const campaignId = await addCampaign(
    db,
    tenantId,
    welcome([{ type: "award_points", points: 5000, reason: "Welcome", wait }]),
  );
  await enrolFromEvent(db, cache, registered(tenantId, await addCustomer(db, tenantId)), now);
  // A newer release's version, mid-deploy: neither the amount replaced nor the step gone for good.
  const newer = welcome([{ type: "award_points", points: 50, reason: "Welcome", wait, boost: 2 } as CampaignAction]);
  await db.campaignVersion.create({ data: { tenantId, campaignId, version: 2, definition: newer, createdBy: "test" } });
  await db.campaign.update({ where: { id: campaignId }, data: { version: 2 } });
  expect(await runDueSteps(db, tenantId, later(now, HOUR + 1_000))).toEqual(["retry"]);
  expect(await movementsOf(db, tenantId)).toEqual([]);
  const [step] = await stepsOf(db, campaignId);
  expect([step?.status, step?.lastError]).toEqual(["pending", expect.stringContaining("cannot be read")]);
});
