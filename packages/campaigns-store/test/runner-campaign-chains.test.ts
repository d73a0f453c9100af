import { MAX_CAUSE_DEPTH } from "@regulars/campaigns";
import { newId } from "@regulars/ids";
import { expect, it } from "vitest";
import { enrolFromEvent } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  couponCampaign,
  enrolmentsOf,
  event,
  feedBack,
  HOUR,
  later,
  messagesOf,
  outboxOf,
  repeatable,
  runnerDb,
  runnerTenant,
  stepsOf,
  thanks,
} from "./runner-fixtures.ts";

// A campaign hears what other campaigns caused as any event (no opt-in), and never what it caused itself; chains of
// campaigns end at MAX_CAUSE_DEPTH (runner-triggers.test.ts has the self-loops and two campaigns on each other's bonus).

const { db, cache } = runnerDb();
const now = new Date();
const started = { startedAt: later(now, -HOUR) };
const base = (tenantId: string, customerId: string) => ({
  id: newId("event"),
  tenantId,
  customerId,
  occurredAt: now.toISOString(),
});

it("a stored campaign on coupon.issued, saved without any opt-in, hears the coupon a welcome campaign gave", async () => {
  const { tenantId } = await runnerTenant(db);
  const fries = await couponCampaign(db, tenantId);
  const onSalePoints = {
    type: "domain_event" as const,
    eventType: "points.earned" as const,
    conditions: [{ field: "movementKind", op: "eq" as const, value: "earn" }],
  };
  const welcome = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: onSalePoints,
      actions: [{ type: "issue_coupon", couponCampaignId: fries }],
      limits: repeatable,
    },
    started,
  );
  const pushWhenCouponLands = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { type: "domain_event", eventType: "coupon.issued", conditions: [] },
      actions: thanks,
      limits: repeatable,
    },
    started,
  );
  const customer = await addCustomer(db, tenantId);
  const salePoints = event({
    ...base(tenantId, customer),
    type: "points.earned",
    points: 10,
    movementKind: "earn",
    transactionId: null,
    pending: false,
    balance: 10,
  });
  await feedBack({ db, cache, tenantId, now }, salePoints, outboxOf(db, tenantId, ["points.earned", "coupon.issued"]));
  expect(await enrolmentsOf(db, welcome)).toHaveLength(1);
  expect(await enrolmentsOf(db, pushWhenCouponLands)).toHaveLength(1);
  // Second in the chain: its steps keep the depth the chain reached, which bounds what its bonus can start.
  expect((await stepsOf(db, pushWhenCouponLands)).map((s) => s.action)).toEqual([{ ...thanks[0], causeDepth: 2 }]);
});

it("a campaign on campaign.enrolled hears another campaign's enrolment, up to the depth bound", async () => {
  const { tenantId } = await runnerTenant(db);
  const onClick = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: { type: "domain_event", eventType: "message.clicked", conditions: [] },
      actions: thanks,
      limits: repeatable,
    },
    started,
  );
  const followUp = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "none" },
      trigger: {
        type: "domain_event",
        eventType: "campaign.enrolled",
        conditions: [{ field: "campaignId", op: "eq", value: onClick }],
      },
      actions: thanks,
      limits: repeatable,
    },
    started,
  );
  const customer = await addCustomer(db, tenantId);
  const enrolledInOnClick = (causeDepth?: number) =>
    event({
      ...base(tenantId, customer),
      type: "campaign.enrolled",
      campaignId: onClick,
      version: 1,
      enrolmentId: newId("event"),
      occurrence: newId("event"),
      outcome: "entered",
      ...(causeDepth ? { causeDepth } : {}),
    });
  const first = await enrolFromEvent(db, cache, enrolledInOnClick(), now);
  expect(first.entered).toBe(1);
  // Its own enrolment tells the next campaign how deep the chain is.
  expect(first.outbox.map((o) => o.payload)).toMatchObject([{ campaignId: followUp, causeDepth: 2 }]);
  expect((await enrolFromEvent(db, cache, enrolledInOnClick(MAX_CAUSE_DEPTH - 1), now)).entered).toBe(1);
  expect((await enrolFromEvent(db, cache, enrolledInOnClick(MAX_CAUSE_DEPTH), now)).entered).toBe(0);
  expect(await enrolmentsOf(db, followUp)).toHaveLength(2);
});

it("two campaigns on each other's messages stop within the depth bound", async () => {
  const { tenantId } = await runnerTenant(db);
  const definition = {
    audience: { kind: "none" as const },
    trigger: { type: "domain_event" as const, eventType: "message.sent" as const, conditions: [] },
    actions: [{ type: "send_message" as const, channel: "email" as const, templateId: "tpl_news" }],
    limits: repeatable,
  };
  const first = await addCampaign(db, tenantId, definition, started);
  const second = await addCampaign(db, tenantId, definition, started);
  const customer = await addCustomer(db, tenantId, { consents: ["email"] });
  const sent = (messageId: string, campaignId: string | null) =>
    event({
      ...base(tenantId, customer),
      id: `message.sent:${messageId}`,
      type: "message.sent",
      messageId,
      campaignId,
      channel: "email",
      provider: "test",
      attempt: 1,
    });
  // A one-time code's message starts both; each one's message starts the other until the chain is deep enough.
  const announced = async () => (await messagesOf(db, tenantId)).map((m) => sent(m.id, m.campaignId));
  const fed = await feedBack({ db, cache, tenantId, now }, sent(newId("message"), null), announced);
  expect(await enrolmentsOf(db, first)).toHaveLength(MAX_CAUSE_DEPTH);
  expect(await enrolmentsOf(db, second)).toHaveLength(MAX_CAUSE_DEPTH);
  expect(fed).toHaveLength(1 + 2 * MAX_CAUSE_DEPTH);
});
