import { newId } from "@regulars/ids";
import { expect, it } from "vitest";
import {
  addCampaign,
  addCustomer,
  couponCampaign,
  event,
  feedBack,
  HOUR,
  later,
  outboxOf,
  repeatable,
  runnerDb,
  runnerTenant,
  stepsOf,
  thanks,
} from "./runner-fixtures.ts";

// A follow-up on another campaign's enrolment or coupon reaches exactly whom that campaign chose: when it chose them by
// behaviour, the follow-up's messages need their profiling consent too, down the chain.

const { db, cache } = runnerDb();
const now = new Date();
const started = { startedAt: later(now, -HOUR) };
const push = { type: "send_message" as const, channel: "push" as const, templateId: "tpl_follow_up" };

it("a follow-up of a behaviour-chosen campaign skips a customer who refused profiling, however it follows", async () => {
  const { tenantId } = await runnerTenant(db);
  const fries = await couponCampaign(db, tenantId);
  // Chosen by what the customer earned: profiling. Its coupon needs no consent, so the refusal does not stop it.
  const bigEarners = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: {
        type: "domain_event",
        eventType: "points.earned",
        conditions: [{ field: "points", op: "gte", value: 10 }],
      },
      actions: [{ type: "issue_coupon", couponCampaignId: fries }],
      limits: repeatable,
    },
    started,
  );
  const onEnrolment = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: {
        type: "domain_event",
        eventType: "campaign.enrolled",
        conditions: [{ field: "campaignId", op: "eq", value: bigEarners }],
      },
      actions: [...thanks, push],
      limits: repeatable,
    },
    started,
  );
  const onCoupon = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { type: "domain_event", eventType: "coupon.issued", conditions: [] },
      actions: [push],
      limits: repeatable,
    },
    started,
  );
  // Second in the chain: follows the follow-up, whose own trigger reads nothing of the customer.
  const onFollowUp = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: {
        type: "domain_event",
        eventType: "campaign.enrolled",
        conditions: [{ field: "campaignId", op: "eq", value: onEnrolment }],
      },
      actions: [push],
      limits: repeatable,
    },
    started,
  );
  const refused = await addCustomer(db, tenantId, { push: true, consents: ["push"], profiling: [] });
  const profiled = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
  for (const customerId of [refused, profiled])
    await feedBack(
      { db, cache, tenantId, now },
      event({
        id: newId("event"),
        tenantId,
        customerId,
        occurredAt: now.toISOString(),
        type: "points.earned",
        points: 40,
        movementKind: "earn",
        transactionId: null,
        pending: false,
        balance: 40,
      }),
      outboxOf(db, tenantId, ["campaign.enrolled", "coupon.issued"]),
    );

  const pushes = async (campaignId: string) => {
    const out: Record<string, [string, string | null]> = {};
    for (const s of await stepsOf(db, campaignId))
      if ((s.action as { type: string }).type === "send_message") out[s.customerId] = [s.status, s.reason];
    return out;
  };
  for (const campaignId of [onEnrolment, onCoupon, onFollowUp])
    expect(await pushes(campaignId)).toEqual({
      [refused]: ["skipped", "no_profiling_consent"],
      // Queued, or still waiting for its hour outside quiet hours: either way not skipped.
      [profiled]: [expect.stringMatching(/^(done|pending)$/), null],
    });
  // The follow-up's steps keep why, for the checks after planning and the campaigns after it.
  const kept = (await stepsOf(db, onEnrolment)).map(
    (s) => (s.action as { profilingByCause?: boolean }).profilingByCause,
  );
  expect(kept).toEqual([true, true, true, true]);
  expect((await stepsOf(db, bigEarners)).map((s) => s.action)).not.toContainEqual(
    expect.objectContaining({ profilingByCause: true }),
  );
});
