import { isInControlGroup, nextBroadcastRuns } from "@regulars/campaigns";
import type { Db } from "@regulars/db";
import { expandOutbox, outboxBatchType } from "@regulars/ledger-store";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDueBroadcasts, scanClockTriggers, startAlwaysOnCampaigns } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  couponCampaign,
  DAY,
  enrolmentsOf,
  HOUR,
  later,
  runnerTenant,
  stepsOf,
} from "./runner-fixtures.ts";

// Broadcasts, always-on starts and the daily scan plan whole audiences in chunks (two customers per chunk here, so
// every test crosses chunks), with the same per-customer rules as an event: control group, consent, once per run.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const now = new Date();
const localDate = (at: Date, zone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

describe("broadcasts", () => {
  it("a scheduled one-off run enrols every segment member once, holds the control group out, respects consent", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const fries = await couponCampaign(db, tenantId);
    const members: string[] = [];
    for (let i = 0; i < 6; i++) members.push(await addCustomer(db, tenantId, { push: true, consents: ["push"] }));
    const silent = await addCustomer(db, tenantId, { push: true });
    const outsider = await addCustomer(db, tenantId, { push: true, consents: ["push"] });
    const segmentId = await addSegment(db, tenantId, [...members, silent]);
    const runAt = later(now, -60_000);
    const campaignId = await addCampaign(
      db,
      tenantId,
      {
        status: "scheduled",
        audience: { kind: "segment", segmentId },
        trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
        actions: [
          { type: "issue_coupon", couponCampaignId: fries },
          { type: "send_message", channel: "push", templateId: "tpl_new" },
        ],
        controlGroup: { share: 0.3 },
      },
      { nextRunAt: runAt },
    );
    const ctx = { db, tenantId, zone: timezone, now, chunkSize: 2 };
    const run = await runDueBroadcasts(ctx);
    expect(run.acted).toBe(7);
    // Four chunks of two or one: each chunk's events are one outbox row, holding one event per enrolment.
    expect(run.outbox.map((o) => o.type).sort()).toEqual([
      "campaign.enrolled",
      outboxBatchType,
      outboxBatchType,
      outboxBatchType,
    ]);
    const events = expandOutbox(run.outbox);
    expect(events.map((e) => e.type)).toEqual(Array(7).fill("campaign.enrolled"));
    const rows = await db.outboxEvent.findMany({ where: { id: { in: run.outbox.map((o) => o.id) } } });
    expect(rows).toHaveLength(4);
    expect(
      expandOutbox(rows.map((r) => ({ ...r, payload: r.payload as unknown })))
        .map((e) => e.id)
        .sort(),
    ).toEqual(events.map((e) => e.id).sort());

    const enrolments = await enrolmentsOf(db, campaignId);
    expect(enrolments.map((e) => e.customerId).sort()).toEqual([...members, silent].sort());
    for (const e of enrolments) {
      expect(e.occurrence).toBe(`broadcast:${runAt.toISOString()}`);
      expect(e.outcome).toBe(isInControlGroup(campaignId, e.customerId, 0.3) ? "control" : "entered");
    }
    expect(enrolments.some((e) => e.customerId === outsider)).toBe(false);
    const silentSteps = (await stepsOf(db, campaignId)).filter((s) => s.customerId === silent);
    if (!isInControlGroup(campaignId, silent, 0.3))
      expect(silentSteps.map((s) => [s.status, s.reason])).toEqual([
        ["pending", null],
        ["skipped", "no_consent"],
      ]);

    const row = await db.campaign.findUniqueOrThrow({ where: { id: campaignId } });
    expect(row).toMatchObject({ status: "active", nextRunAt: null });
    expect(await runDueBroadcasts({ ...ctx, now: later(now, HOUR) })).toMatchObject({ acted: 0 });
    expect(await enrolmentsOf(db, campaignId)).toHaveLength(7);
  });

  it("hands each chunk's events over once the chunk is committed, and returns none at the end", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const members: string[] = [];
    for (let i = 0; i < 5; i++) members.push(await addCustomer(db, tenantId, { push: true, consents: ["push"] }));
    const segmentId = await addSegment(db, tenantId, members);
    const runAt = later(now, -60_000);
    const campaignId = await addCampaign(
      db,
      tenantId,
      {
        status: "active",
        audience: { kind: "segment", segmentId },
        trigger: { type: "broadcast", schedule: { repeat: "once", at: runAt.toISOString() } },
        actions: [{ type: "send_message", channel: "push", templateId: "tpl_new" }],
      },
      { nextRunAt: runAt },
    );
    const handed: { events: number; committed: number }[] = [];
    const run = await runDueBroadcasts({
      db,
      tenantId,
      zone: timezone,
      now,
      chunkSize: 2,
      onCommitted: async (outbox) => {
        const events = expandOutbox(outbox);
        const ids = events.map((o) => (o.payload as { enrolmentId: string }).enrolmentId);
        const committed = await db.campaignEnrolment.count({ where: { id: { in: ids } } });
        handed.push({ events: events.length, committed });
      },
    });
    expect(run).toMatchObject({ acted: 5, outbox: [] });
    expect(handed.map((h) => h.events).sort()).toEqual([1, 2, 2]);
    for (const h of handed) expect(h.committed).toBe(h.events);
    expect(await enrolmentsOf(db, campaignId)).toHaveLength(5);
  });

  it("a daily broadcast to all members runs, sets its next run, and the next run enrols everyone again", async () => {
    const { tenantId, timezone } = await runnerTenant(db, "UTC");
    const customers = [
      await addCustomer(db, tenantId),
      await addCustomer(db, tenantId),
      await addCustomer(db, tenantId),
    ];
    // The UTC minute two minutes ago: the first run is due now, within the grace of a late run.
    const schedule = { repeat: "daily" as const, time: later(now, -120_000).toISOString().slice(11, 16) };
    const [first] = nextBroadcastRuns(schedule, later(now, -5 * 60_000), timezone);
    const campaignId = await addCampaign(
      db,
      tenantId,
      {
        audience: { kind: "all_members" },
        trigger: { type: "broadcast", schedule },
        actions: [{ type: "award_points", points: 5, reason: "Daily treat" }],
        limits: { perCustomer: { mode: "repeatable", minGapHours: 12 } },
      },
      { nextRunAt: first! },
    );
    const ctx = { db, tenantId, zone: timezone, now, chunkSize: 2 };
    expect((await runDueBroadcasts(ctx)).acted).toBe(3);
    const [second] = nextBroadcastRuns(schedule, now, timezone);
    expect((await db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).nextRunAt).toEqual(second);
    expect((await runDueBroadcasts(ctx)).acted).toBe(0);
    expect((await runDueBroadcasts({ ...ctx, now: second! })).acted).toBe(3);
    const occurrences = new Set((await enrolmentsOf(db, campaignId)).map((e) => e.occurrence));
    expect([...occurrences].sort()).toEqual([
      `broadcast:${first!.toISOString()}`,
      `broadcast:${second!.toISOString()}`,
    ]);
    expect(customers).toHaveLength(3);
  });
});

describe("always-on and the daily scan", () => {
  it("an always-on campaign enrols the members it had when it started, once", async () => {
    const { tenantId, timezone } = await runnerTenant(db);
    const before = [await addCustomer(db, tenantId), await addCustomer(db, tenantId), await addCustomer(db, tenantId)];
    const startedAt = later(now, -HOUR);
    await addCustomer(db, tenantId, { createdAt: now });
    const campaignId = await addCampaign(
      db,
      tenantId,
      {
        audience: { kind: "all_members" },
        trigger: { type: "always_on" },
        actions: [{ type: "award_points", points: 5, reason: "Welcome to the club" }],
      },
      { startedAt },
    );
    const ctx = { db, tenantId, zone: timezone, now, chunkSize: 2 };
    expect((await startAlwaysOnCampaigns(ctx)).acted).toBe(3);
    expect((await startAlwaysOnCampaigns(ctx)).acted).toBe(0);
    const enrolments = await enrolmentsOf(db, campaignId);
    expect(enrolments.map((e) => e.customerId).sort()).toEqual(before.sort());
    expect(enrolments.every((e) => e.occurrence === `always_on:start:${startedAt.toISOString()}`)).toBe(true);
  });

  it("birthdays a few local days ahead and inactivity once per stretch, however often the scan runs", async () => {
    const { tenantId, timezone } = await runnerTenant(db, "Pacific/Auckland");
    // Born in leap years, so whichever day the test runs on (29 February too) is a date of birth.
    const soon = localDate(later(now, 3 * DAY), timezone);
    const [, month, day] = soon.split("-");
    const birthday = await addCustomer(db, tenantId, { dateOfBirth: `1988-${month}-${day}` });
    await addCustomer(db, tenantId, {
      dateOfBirth: localDate(later(now, 10 * DAY), timezone).replace(/^\d{4}/, "1992"),
    });
    const lastSeen = later(now, -40 * DAY);
    const lapsed = await addCustomer(db, tenantId, { lastActivityAt: lastSeen });
    await addCustomer(db, tenantId, { lastActivityAt: later(now, -10 * DAY) });
    const greet = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "birthday", daysBefore: 3 },
      actions: [{ type: "award_points", points: 20, reason: "Happy birthday" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const winBack = await addCampaign(db, tenantId, {
      audience: { kind: "all_members" },
      trigger: { type: "inactive", days: 30 },
      actions: [{ type: "award_points", points: 20, reason: "We miss you" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const ctx = { db, tenantId, zone: timezone, now, chunkSize: 2 };
    expect((await scanClockTriggers(ctx)).acted).toBe(2);
    expect((await scanClockTriggers({ ...ctx, now: later(now, HOUR) })).acted).toBe(0);
    // The occurrence names the birthday's local year, this year's (or next year's across New Year).
    expect((await enrolmentsOf(db, greet)).map((e) => [e.customerId, e.occurrence])).toEqual([
      [birthday, `birthday:${soon.slice(0, 4)}`],
    ]);
    expect((await enrolmentsOf(db, winBack)).map((e) => [e.customerId, e.occurrence])).toEqual([
      [lapsed, `inactive:${lastSeen.toISOString()}`],
    ]);
  });

  it("counts a birthday greeted under the occurrence's former name, the scan's date, as that year's", async () => {
    const { tenantId, timezone } = await runnerTenant(db, "Europe/Warsaw");
    // On the day itself: the former name's year (the scan's) is the birthday's, whichever day the test runs.
    const today = localDate(now, timezone);
    const [, month, day] = today.split("-");
    const birthday = await addCustomer(db, tenantId, { dateOfBirth: `1988-${month}-${day}` });
    const greet = await addCampaign(db, tenantId, {
      audience: { kind: "none" },
      trigger: { type: "birthday", daysBefore: 0 },
      actions: [{ type: "award_points", points: 20, reason: "Happy birthday" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    });
    const ctx = { db, tenantId, zone: timezone, now, chunkSize: 2 };
    expect((await scanClockTriggers(ctx)).acted).toBe(1);
    // Stored as a release before the change named it: by the scan's local date.
    await db.$executeRaw`UPDATE campaign_enrolments SET occurrence = ${`birthday:${today}`} WHERE campaign_id = ${greet}`;
    // A rescan the same day (a new version of the campaign has a scan mark of its own) greets no one again.
    await db.$executeRaw`DELETE FROM job_marks WHERE tenant_id = ${tenantId}`;
    expect((await scanClockTriggers({ ...ctx, now: later(now, HOUR) })).acted).toBe(0);
    expect((await enrolmentsOf(db, greet)).map((e) => [e.customerId, e.occurrence])).toEqual([
      [birthday, `birthday:${today}`],
    ]);
  });
});
