import { isInControlGroup, MAX_CAUSE_DEPTH } from "@regulars/campaigns";
import { CampaignDefinition } from "@regulars/contracts";
import { newId } from "@regulars/ids";
import { describe, expect, it } from "vitest";
import { ActiveCampaignCache, enrolFromEvent, scanClockTriggers } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  couponCampaign,
  couponsOf,
  DAY,
  enrolmentsOf,
  event,
  feedBack,
  HOUR,
  later,
  messagesOf,
  movementsOf,
  outboxOf,
  repeatable,
  runDueSteps,
  runnerDb,
  runnerTenant,
  stepsOf,
  thanks,
} from "./runner-fixtures.ts";

// Every event trigger enrols through the same path the `campaign-triggers` durable takes (enrolFromEvent), then
// the steps run as the executor runs them. The clock is chosen here: `now` is the moment the test starts.

const { db, cache } = runnerDb();

const now = new Date();
const base = (tenantId: string, customerId: string, at = now) => ({
  id: newId("event"),
  tenantId,
  customerId,
  occurredAt: at.toISOString(),
});
const created = (tenantId: string, customerId: string) =>
  event({ ...base(tenantId, customerId), type: "customer.created", via: "app", fields: ["email"] });
const recorded = (tenantId: string, customerId: string, eventType: string, properties: Record<string, unknown> = {}) =>
  event({
    ...base(tenantId, customerId),
    type: "event.recorded",
    eventId: newId("event"),
    eventType,
    locationId: null,
    channel: "app",
    properties,
  });
const couponThenPush = (couponCampaignId: string) => [
  { type: "issue_coupon" as const, couponCampaignId },
  { type: "send_message" as const, channel: "push" as const, templateId: "tpl_welcome" },
];

describe("event triggers", () => {
  it("registered: the welcome coupon lands in the wallet and the push carries its code, once however often the event comes", async () => {
    const { tenantId } = await runnerTenant(db);
    const fries = await couponCampaign(db, tenantId);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: couponThenPush(fries),
    });
    const customer = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    const welcome = created(tenantId, customer);

    const first = await enrolFromEvent(db, cache, welcome, now);
    expect(first).toMatchObject({ entered: 1, control: 0, refused: 0 });
    expect(first.outbox.map((o) => o.payload)).toEqual([
      expect.objectContaining({ type: "campaign.enrolled", campaignId, customerId: customer, outcome: "entered" }),
    ]);
    expect(await enrolFromEvent(db, cache, welcome, now)).toMatchObject({ entered: 0, outbox: [] });
    expect(await enrolFromEvent(db, cache, created(tenantId, customer), now)).toMatchObject({ entered: 0 });

    expect(await runDueSteps(db, tenantId, now)).toEqual(["done"]);
    expect(await runDueSteps(db, tenantId, now)).toEqual(["done"]);
    expect(await runDueSteps(db, tenantId, later(now, HOUR))).toEqual([]);
    expect(await couponsOf(db, tenantId)).toBe(1);
    const [message, ...more] = await messagesOf(db, tenantId);
    expect(more).toEqual([]);
    expect(message?.content).toMatchObject({ coupon: { code: "FRIES", title: "Discounted fries FRIES" } });
    const steps = await stepsOf(db, campaignId);
    expect(steps.map((s) => [s.status, s.result])).toEqual([
      ["done", expect.objectContaining({ couponCode: "FRIES" })],
      ["done", { messageId: message?.id }],
    ]);
  });

  it("the campaign cache keeps definitions by version, and an expired list sees a campaign activated since", async () => {
    const { tenantId } = await runnerTenant(db);
    const slow = new ActiveCampaignCache(db, 60_000);
    expect(await slow.forTenant(tenantId, now.getTime())).toEqual([]);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: [{ type: "award_points", points: 5, reason: "Welcome" }],
    });
    expect(await slow.forTenant(tenantId, now.getTime() + 1_000)).toEqual([]);
    slow.expire();
    const [seen] = await slow.forTenant(tenantId, now.getTime() + 2_000);
    expect(seen).toMatchObject({ id: campaignId, version: 1, status: "active" });
    slow.expire();
    expect((await slow.forTenant(tenantId, now.getTime() + 3_000))[0]).toBe(seen);
    await db.campaign.update({ where: { id: campaignId }, data: { status: "paused" } });
    expect(await slow.forTenant(tenantId, now.getTime() + 64_000)).toEqual([]);
  });

  it("a campaign does not react to what happened before it started", async () => {
    const { tenantId } = await runnerTenant(db);
    const campaignId = await addCampaign(
      db,
      tenantId,
      {
        audience: { kind: "none" },
        trigger: { type: "registered" },
        actions: [{ type: "award_points", points: 5, reason: "Welcome" }],
      },
      { startedAt: now },
    );
    const early = await addCustomer(db, tenantId);
    const late = await addCustomer(db, tenantId);
    const before = event({
      ...base(tenantId, early, later(now, -HOUR)),
      type: "customer.created",
      via: "app",
      fields: [],
    });
    expect(await enrolFromEvent(db, cache, before, now)).toMatchObject({ entered: 0, refused: 0 });
    expect(await enrolFromEvent(db, cache, created(tenantId, late), now)).toMatchObject({ entered: 1 });
    expect((await enrolmentsOf(db, campaignId)).map((e) => e.customerId)).toEqual([late]);
  });

  it("first_purchase: the customer's first sale, not the second", async () => {
    const { tenantId } = await runnerTenant(db);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "first_purchase" },
      actions: [{ type: "award_points", points: 50, reason: "First order bonus" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const customer = await addCustomer(db, tenantId);
    const sale = async (minutesAgo: number) => {
      const id = newId("transaction");
      const at = later(now, -minutesAgo * 60_000);
      await db.$executeRaw`
        INSERT INTO transactions (id, tenant_id, external_id, type, occurred_at, location_id, channel, customer_id, currency,
          total, discount_total, points_awarded, received_at, processed_at)
        VALUES (${id}, ${tenantId}, ${id}, 'sale', ${at}, 'store-1', 'pos', ${customer}, 'EUR', 700, 0, 7, ${at}, ${at})`;
      return event({
        ...base(tenantId, customer, at),
        type: "transaction.processed",
        transactionId: id,
        externalId: id,
        kind: "sale",
        refundOf: null,
        locationId: "store-1",
        channel: "pos",
        currency: "EUR",
        total: 700,
        discountTotal: 0,
        points: 7,
        lines: [],
      });
    };
    const first = await sale(20);
    const second = await sale(10);
    expect(await enrolFromEvent(db, cache, first, now)).toMatchObject({ entered: 1 });
    expect(await enrolFromEvent(db, cache, second, now)).toMatchObject({ entered: 0, refused: 0 });
    expect((await enrolmentsOf(db, campaignId)).map((e) => e.occurrence)).toEqual(["first_purchase"]);
  });

  it("profile_completed (scenario 4): the bonus coupon is issued once, never twice", async () => {
    const { tenantId } = await runnerTenant(db);
    const bonus = await couponCampaign(db, tenantId, "THANKS");
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "profile_completed" },
      actions: [{ type: "issue_coupon", couponCampaignId: bonus }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const customer = await addCustomer(db, tenantId);
    await enrolFromEvent(db, cache, recorded(tenantId, customer, "profile_completed"), now);
    await enrolFromEvent(db, cache, recorded(tenantId, customer, "profile_completed"), later(now, DAY));
    await runDueSteps(db, tenantId, later(now, DAY));
    expect(await couponsOf(db, tenantId)).toBe(1);
    expect(await enrolmentsOf(db, campaignId)).toHaveLength(1);
  });

  it("tier_reached (once per customer), points_milestone (once per crossing, a repeatable campaign keeps its gap), points_expiring", async () => {
    const { tenantId } = await runnerTenant(db);
    const points = [{ type: "award_points" as const, points: 10, reason: "Campaign bonus" }];
    const gold = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "tier_reached", tierId: "gold" },
      actions: points,
    });
    const milestone = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "points_milestone", thresholds: [100] },
      actions: points,
      limits: { perCustomer: { mode: "repeatable", minGapHours: 24 } },
    });
    const expiring = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "points_expiring", daysBefore: 14 },
      actions: points,
    });
    const customer = await addCustomer(db, tenantId);
    const tier = (to: string) =>
      event({
        ...base(tenantId, customer),
        type: "tier.changed",
        from: "silver",
        to,
        direction: "up",
        qualifyingValue: 500,
      });
    const crossing = (n: number, at: Date) =>
      event({ ...base(tenantId, customer, at), type: "points.milestone", threshold: 100, balance: 120, crossing: n });

    expect(await enrolFromEvent(db, cache, tier("platinum"), now)).toMatchObject({ entered: 0 });
    expect(await enrolFromEvent(db, cache, tier("gold"), now)).toMatchObject({ entered: 1 });
    // Once per customer: another upgrade to gold (after a downgrade) is refused, and says why.
    expect(await enrolFromEvent(db, cache, tier("gold"), now)).toMatchObject({ entered: 0, refused: 1 });
    const firstCrossing = crossing(1, now);
    expect(await enrolFromEvent(db, cache, firstCrossing, now)).toMatchObject({ entered: 1 });
    expect(await enrolFromEvent(db, cache, firstCrossing, now)).toMatchObject({ entered: 0, refused: 0 });
    expect(await enrolFromEvent(db, cache, crossing(2, later(now, HOUR)), now)).toMatchObject({ refused: 1 });
    expect(await enrolFromEvent(db, cache, crossing(3, later(now, 2 * DAY)), now)).toMatchObject({ entered: 1 });
    expect((await enrolmentsOf(db, milestone)).map((e) => [e.occurrence, e.outcome, e.reason])).toEqual([
      ["milestone:100:1", "entered", null],
      ["milestone:100:2", "refused", "too_soon"],
      ["milestone:100:3", "entered", null],
    ]);

    const expiresAt = later(now, 20 * DAY);
    const notice = event({
      ...base(tenantId, customer),
      type: "points.expiring",
      points: 80,
      expiresAt: expiresAt.toISOString(),
    });
    expect(await enrolFromEvent(db, cache, notice, now)).toMatchObject({ entered: 1 });
    const [step] = await stepsOf(db, expiring);
    expect(step?.runAt).toEqual(later(expiresAt, -14 * DAY));
    expect((await enrolmentsOf(db, gold)).map((e) => [e.outcome, e.reason]).sort()).toEqual([
      ["entered", null],
      ["refused", "already_received"],
    ]);
  });

  it("segment_entered, always_on (a later joiner) and domain_event with a filter", async () => {
    const { tenantId } = await runnerTenant(db);
    const customer = await addCustomer(db, tenantId);
    const segmentId = await addSegment(db, tenantId, [customer]);
    const points = [{ type: "award_points" as const, points: 5, reason: "Hello" }];
    const entered = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "segment_entered", segmentId },
      actions: points,
    });
    const alwaysOn = await addCampaign(
      db,
      tenantId,
      { audience: { kind: "segment", segmentId }, trigger: { type: "always_on" }, actions: points },
      { startedAt: later(now, -DAY) },
    );
    const feedback = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: {
        type: "domain_event",
        eventType: "event.recorded",
        conditions: [
          { field: "eventType", op: "eq", value: "feedback" },
          { field: "properties.rating", op: "gte", value: 4 },
        ],
      },
      actions: points,
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const joined = event({ ...base(tenantId, customer), type: "segment.entered", segmentId, refresh: 3 });
    expect(await enrolFromEvent(db, cache, joined, now)).toMatchObject({ entered: 2 });
    expect(await enrolFromEvent(db, cache, recorded(tenantId, customer, "feedback", { rating: 2 }), now)).toMatchObject(
      {
        entered: 0,
      },
    );
    expect(
      await enrolFromEvent(db, cache, recorded(tenantId, customer, "feedback", { rating: "5" }), now),
    ).toMatchObject({
      entered: 0,
    });
    expect(await enrolFromEvent(db, cache, recorded(tenantId, customer, "feedback", { rating: 5 }), now)).toMatchObject(
      {
        entered: 1,
      },
    );
    for (const id of [entered, alwaysOn, feedback]) expect(await enrolmentsOf(db, id)).toHaveLength(1);
  });
});

describe("who gets what", () => {
  it("holds the control group out and announces it as control; its steps are skipped with their times", async () => {
    const { tenantId } = await runnerTenant(db);
    const fries = await couponCampaign(db, tenantId);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: couponThenPush(fries),
      controlGroup: { share: 0.5 },
    });
    let held: string | null = null;
    let reached: string | null = null;
    while (!held || !reached) {
      const c = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
      if (isInControlGroup(campaignId, c, 0.5)) held ??= c;
      else reached ??= c;
    }
    const control = await enrolFromEvent(db, cache, created(tenantId, held), now);
    expect(control).toMatchObject({ entered: 0, control: 1 });
    expect(control.outbox[0]?.payload).toMatchObject({ outcome: "control", customerId: held });
    expect(await enrolFromEvent(db, cache, created(tenantId, reached), now)).toMatchObject({ entered: 1 });
    await runDueSteps(db, tenantId, now);
    await runDueSteps(db, tenantId, now);
    expect(await couponsOf(db, tenantId)).toBe(1);
    const heldSteps = (await stepsOf(db, campaignId)).filter((s) => s.customerId === held);
    expect(heldSteps.map((s) => [s.status, s.reason])).toEqual([
      ["skipped", "control_group"],
      ["skipped", "control_group"],
    ]);
  });

  /** A welcome coupon, then a push capped at one message a day. */
  const cappedWelcome = async () => {
    const { tenantId } = await runnerTenant(db);
    const fries = await couponCampaign(db, tenantId);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: couponThenPush(fries),
      limits: { perCustomer: { mode: "once" }, frequencyCaps: [{ max: 1, windowHours: 24 }] },
    });
    return { tenantId, campaignId };
  };

  it("skips a message without consent, and one over a frequency cap, while the coupon still goes into the wallet", async () => {
    const { tenantId, campaignId } = await cappedWelcome();
    const silent = await addCustomer(db, tenantId, { push: true });
    const busy = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    await db.message.create({
      data: {
        id: newId("message"),
        tenantId,
        customerId: busy,
        channel: "push",
        language: "en",
        toAddress: "tok",
        content: {},
        sendAt: later(now, -HOUR),
        nextAttemptAt: later(now, -HOUR),
        status: "sent",
      },
    });
    await enrolFromEvent(db, cache, created(tenantId, silent), now);
    await enrolFromEvent(db, cache, created(tenantId, busy), now);
    const steps = await stepsOf(db, campaignId);
    const reasons = (customer: string) =>
      steps.filter((s) => s.customerId === customer).map((s) => [s.status, s.reason]);
    expect(reasons(silent)).toEqual([
      ["pending", null],
      ["skipped", "no_consent"],
    ]);
    expect(reasons(busy)).toEqual([
      ["pending", null],
      ["skipped", "capped"],
    ]);
    await runDueSteps(db, tenantId, now);
    expect(await couponsOf(db, tenantId)).toBe(2);
    expect(await messagesOf(db, tenantId)).toHaveLength(1);
  });

  it("counts no one-time code against a frequency cap: it was the customer's own doing, not marketing", async () => {
    const { tenantId, campaignId } = await cappedWelcome();
    const paying = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    await db.message.create({
      data: {
        id: newId("message"),
        tenantId,
        customerId: paying,
        channel: "sms",
        language: "und",
        toAddress: "+48600100200",
        content: { channel: "sms", body: "(spent)" },
        sendAt: later(now, -HOUR),
        nextAttemptAt: later(now, -HOUR),
        status: "sent",
        transactional: true,
        expiresAt: later(now, -HOUR + 5 * 60_000),
      },
    });
    await enrolFromEvent(db, cache, created(tenantId, paying), now);
    expect((await stepsOf(db, campaignId)).map((s) => [s.status, s.reason])).toEqual([
      ["pending", null],
      ["pending", null],
    ]);
  });

  it("the tenant's own caps hold beside the campaign's", async () => {
    const { tenantId } = await runnerTenant(db);
    const campaignId = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: [{ type: "send_message", channel: "push", templateId: "tpl_hello" }],
    });
    const customer = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    await db.message.create({
      data: {
        id: newId("message"),
        tenantId,
        customerId: customer,
        channel: "sms",
        language: "en",
        toAddress: "+48600100200",
        content: {},
        sendAt: later(now, -HOUR),
        nextAttemptAt: later(now, -HOUR),
        status: "delivered",
      },
    });
    const weekly = async () => [{ max: 1, windowHours: 24 * 7 }];
    await enrolFromEvent(db, cache, created(tenantId, customer), now, weekly);
    expect((await stepsOf(db, campaignId)).map((s) => [s.status, s.reason])).toEqual([["skipped", "capped"]]);
  });

  it("sends at 18:00 local time, and after quiet hours", async () => {
    const { tenantId, timezone } = await runnerTenant(db, "America/New_York");
    const at18 = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: [{ type: "send_message", channel: "email", templateId: "tpl_evening" }],
      delivery: { timing: { at: "local_time", time: "18:00" }, zone: "tenant" },
    });
    const customer = await addCustomer(db, tenantId, { consents: ["email"] });
    await enrolFromEvent(db, cache, created(tenantId, customer), now);
    const [step] = await stepsOf(db, at18);
    const local = (d: Date) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: timezone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(d);
    expect(local(step!.runAt)).toBe("18:00");
    expect(step!.runAt.getTime() - now.getTime()).toBeGreaterThan(0);
    expect(step!.runAt.getTime() - now.getTime()).toBeLessThanOrEqual(DAY + HOUR);

    // Quiet hours all day but one hour: whenever the test runs, the send moves to their end.
    const { tenantId: quietTenant } = await runnerTenant(db, "UTC");
    const quietFrom = (now.getUTCHours() + 2) % 24;
    const quietUntil = (now.getUTCHours() + 1) % 24;
    const hh = (h: number) => `${String(h).padStart(2, "0")}:00`;
    const quiet = await addCampaign(db, quietTenant, {
      audience: { kind: "none" },
      trigger: { type: "registered" },
      actions: [{ type: "send_message", channel: "email", templateId: "tpl_quiet" }],
      delivery: {
        timing: { at: "immediately" },
        zone: "tenant",
        quietHours: { start: hh(quietFrom), end: hh(quietUntil) },
      },
    });
    const sleeper = await addCustomer(db, quietTenant, { consents: ["email"] });
    await enrolFromEvent(db, cache, created(quietTenant, sleeper), now);
    const [postponed] = await stepsOf(db, quiet);
    expect(postponed!.runAt.getUTCHours()).toBe(quietUntil);
    expect(postponed!.runAt.getUTCMinutes()).toBe(0);
    expect(postponed!.result).toEqual({ notes: ["quiet_hours_postponed"] });
  });
});

describe("what campaigns cause", () => {
  const onEarned = () => ({ type: "domain_event" as const, eventType: "points.earned" as const, conditions: [] });
  const earned = (tenantId: string, customerId: string) =>
    event({
      ...base(tenantId, customerId),
      type: "points.earned",
      points: 10,
      movementKind: "earn",
      transactionId: null,
      pending: false,
      balance: 10,
    });

  it("a campaign on points.earned awarding points is not started again by its own bonus", async () => {
    const { tenantId } = await runnerTenant(db);
    const started = { startedAt: later(now, -HOUR) };
    const campaignId = await addCampaign(
      db,
      tenantId,
      { audience: { kind: "none" }, trigger: onEarned(), actions: thanks, limits: repeatable },
      started,
    );
    const customer = await addCustomer(db, tenantId);
    const fed = await feedBack(
      { db, cache, tenantId, now },
      earned(tenantId, customer),
      outboxOf(db, tenantId, ["points.earned"]),
      5,
    );
    expect(await enrolmentsOf(db, campaignId)).toHaveLength(1);
    expect(await movementsOf(db, tenantId)).toHaveLength(1);
    // The bonus was announced naming the campaign, and heard once, doing nothing.
    expect(fed).toHaveLength(2);
    expect(fed[1]).toMatchObject({ movementKind: "bonus", causedByCampaignId: campaignId });
  });

  it("a campaign on coupon.issued issuing coupons is not started again by its own coupon", async () => {
    const { tenantId } = await runnerTenant(db);
    const fries = await couponCampaign(db, tenantId);
    const campaignId = await addCampaign(
      db,
      tenantId,
      {
        audience: { kind: "none" },
        trigger: { type: "domain_event", eventType: "coupon.issued", conditions: [] },
        actions: [{ type: "issue_coupon", couponCampaignId: fries }],
        limits: repeatable,
      },
      { startedAt: later(now, -HOUR) },
    );
    const customer = await addCustomer(db, tenantId);
    const byAdmin = event({
      ...base(tenantId, customer),
      type: "coupon.issued",
      campaignId: fries,
      code: "FRIES",
      source: "admin",
    });
    const fed = await feedBack({ db, cache, tenantId, now }, byAdmin, outboxOf(db, tenantId, ["coupon.issued"]), 5);
    expect(await enrolmentsOf(db, campaignId)).toHaveLength(1);
    expect(await couponsOf(db, tenantId)).toBe(1);
    expect(fed[1]).toMatchObject({ source: "campaign", causedByCampaignId: campaignId });
  });

  it("two campaigns on each other's bonus stop within the depth bound, and no one hears its own", async () => {
    const { tenantId } = await runnerTenant(db);
    const started = { startedAt: later(now, -HOUR) };
    const definition = {
      audience: { kind: "none" as const },
      trigger: onEarned(),
      actions: thanks,
      limits: repeatable,
    };
    const first = await addCampaign(db, tenantId, definition, started);
    const second = await addCampaign(db, tenantId, definition, started);
    const customer = await addCustomer(db, tenantId);
    // The customer's points start both (depth 1); each one's bonus starts the other (depth 2, then 3); a bonus of a
    // chain of MAX_CAUSE_DEPTH campaigns starts no one.
    const fed = await feedBack(
      { db, cache, tenantId, now },
      earned(tenantId, customer),
      outboxOf(db, tenantId, ["points.earned"]),
      10,
    );
    expect(await enrolmentsOf(db, first)).toHaveLength(MAX_CAUSE_DEPTH);
    expect(await enrolmentsOf(db, second)).toHaveLength(MAX_CAUSE_DEPTH);
    expect(await movementsOf(db, tenantId)).toHaveLength(2 * MAX_CAUSE_DEPTH);
    expect(fed).toHaveLength(1 + 2 * MAX_CAUSE_DEPTH);
  });
});

describe("inactivity", () => {
  it("the same stretch of inactivity does not fire again when the campaign's days are edited", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const lastSeen = later(now, -50 * DAY);
    const lapsed = await addCustomer(db, tenantId, { lastActivityAt: lastSeen });
    const definition = {
      audience: { kind: "all_members" as const },
      trigger: { type: "inactive" as const, days: 30 },
      actions: [{ type: "award_points" as const, points: 20, reason: "We miss you" }],
      limits: { perCustomer: { mode: "repeatable" as const, minGapHours: 0 } },
    };
    const winBack = await addCampaign(db, tenantId, definition);
    const ctx = { db, tenantId, zone: timezone, now };
    expect((await scanClockTriggers(ctx)).acted).toBe(1);
    // Edited from 30 to 45 days: a new version, whose scan has a mark of its own.
    const edited = CampaignDefinition.parse({
      name: "Runner test",
      status: "active",
      ...definition,
      trigger: { type: "inactive", days: 45 },
    });
    await db.campaignVersion.create({
      data: { tenantId, campaignId: winBack, version: 2, definition: edited, createdBy: "test" },
    });
    await db.campaign.update({ where: { id: winBack }, data: { version: 2 } });
    expect((await scanClockTriggers({ ...ctx, now: later(now, HOUR) })).acted).toBe(0);
    // Enrolled under the occurrence's former name, which named the days: the same stretch still.
    await db.$executeRaw`
      UPDATE campaign_enrolments SET occurrence = ${`inactive:30:${lastSeen.toISOString()}`} WHERE campaign_id = ${winBack}`;
    await db.$executeRaw`DELETE FROM job_marks WHERE tenant_id = ${tenantId}`;
    expect((await scanClockTriggers({ ...ctx, now: later(now, 2 * HOUR) })).acted).toBe(0);
    expect((await enrolmentsOf(db, winBack)).map((e) => e.customerId)).toEqual([lapsed]);
  });
});
