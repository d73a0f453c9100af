import { nextBroadcastRuns } from "@regulars/campaigns";
import type { BroadcastSchedule } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { testDb } from "@regulars/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCampaign, runDueBroadcasts, setCampaignStatus, updateCampaign } from "../src/index.ts";
import { ACTOR, addCustomer, campaignTenant, emailTemplate, welcomeDefinition } from "./admin-fixtures.ts";

// An admin saves a broadcast after its run time but before the scheduler's pass has taken the run: the run stays.

let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(async () => {
  await db?.$disconnect();
});

const zone = "Europe/Warsaw";
const seconds = (d: Date, s: number) => new Date(d.getTime() + s * 1000);
/** The tenant's wall time two hours after `at`, as HH:MM: a daily time whose next run is ahead of `at`. */
const twoHoursLater = (at: Date) =>
  new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(at.getTime() + 2 * 3_600_000),
  );

const broadcast = (templateId: string, schedule: BroadcastSchedule, name = "Morning offer") =>
  welcomeDefinition(templateId, { name, audience: { kind: "all_members" }, trigger: { type: "broadcast", schedule } });

/** A tenant with one member and an active broadcast started at `t0` on `schedule`; its stored next run. */
async function activeBroadcast(schedule: BroadcastSchedule, t0: Date) {
  const tenantId = await campaignTenant(db);
  await addCustomer(db, tenantId);
  const template = await emailTemplate(db, tenantId);
  const { id } = await createCampaign(db, tenantId, broadcast(template.id, schedule), ACTOR, t0);
  const active = await setCampaignStatus(db, tenantId, id, "active", ACTOR, t0);
  return { tenantId, templateId: template.id, id, runAt: new Date(active.nextRunAt!) };
}

const pass = (tenantId: string, now: Date) => runDueBroadcasts({ db, tenantId, zone, now });

describe("editing a broadcast whose run is due and not yet taken", () => {
  it("a daily broadcast edited 20 s after its time keeps today's run, which the next pass sends", async () => {
    const t0 = new Date();
    const daily = { repeat: "daily" as const, time: twoHoursLater(t0) };
    const { tenantId, templateId, id, runAt } = await activeBroadcast(daily, t0);
    expect(runAt).toEqual(nextBroadcastRuns(daily, t0, zone)[0]);

    const edited = await updateCampaign(
      db,
      tenantId,
      id,
      broadcast(templateId, daily, "Typo fixed"),
      ACTOR,
      seconds(runAt, 20),
    );
    expect(edited).toMatchObject({ version: 2, status: "active", nextRunAt: runAt.toISOString() });
    expect((await pass(tenantId, seconds(runAt, 30))).acted).toBe(1);
  });

  it("a one-time broadcast edited after its time still sends, once", async () => {
    const t0 = new Date();
    const at = new Date(Math.ceil((t0.getTime() + 3_600_000) / 60_000) * 60_000);
    const once = { repeat: "once" as const, at: at.toISOString() };
    const { tenantId, templateId, id, runAt } = await activeBroadcast(once, t0);
    expect(runAt).toEqual(at);

    const edited = await updateCampaign(
      db,
      tenantId,
      id,
      broadcast(templateId, once, "Typo fixed"),
      ACTOR,
      seconds(at, 20),
    );
    expect(edited).toMatchObject({ status: "active", nextRunAt: at.toISOString() });
    expect((await pass(tenantId, seconds(at, 30))).acted).toBe(1);
    expect((await pass(tenantId, seconds(at, 60))).acted).toBe(0);
  });

  it("a new schedule keeps the due run when it has a run at that time too, else runs on from the due time", async () => {
    const t0 = new Date();
    const daily = { repeat: "daily" as const, time: twoHoursLater(t0) };
    const { tenantId, templateId, id, runAt } = await activeBroadcast(daily, t0);
    const saved = seconds(runAt, 20);

    // An end date added: today's run is still in the new schedule.
    const until = new Date(runAt.getTime() + 30 * 86_400_000).toISOString();
    const ending = await updateCampaign(db, tenantId, id, broadcast(templateId, { ...daily, until }), ACTOR, saved);
    expect(ending.nextRunAt).toBe(runAt.toISOString());

    // Moved to an hour earlier: the new schedule's next run after the due one is tomorrow's, not one in the past.
    const earlier = { repeat: "daily" as const, time: twoHoursLater(new Date(t0.getTime() - 3_600_000)) };
    const moved = await updateCampaign(db, tenantId, id, broadcast(templateId, earlier), ACTOR, saved);
    const expected = nextBroadcastRuns(earlier, new Date(runAt.getTime() - 1), zone)[0]!;
    expect(moved.nextRunAt).toBe(expected.toISOString());
    expect(expected.getTime()).toBeGreaterThan(saved.getTime());
  });

  it("a new schedule whose run falls between the due run and the save keeps that run, sent once", async () => {
    const t0 = new Date();
    const daily = { repeat: "daily" as const, time: twoHoursLater(t0) };
    const { tenantId, templateId, id, runAt } = await activeBroadcast(daily, t0);
    // A minute later than the due run, saved a minute and a half after it.
    const later = { repeat: "daily" as const, time: twoHoursLater(new Date(t0.getTime() + 60_000)) };
    const saved = seconds(runAt, 90);
    const moved = await updateCampaign(db, tenantId, id, broadcast(templateId, later), ACTOR, saved);
    const expected = nextBroadcastRuns(later, new Date(runAt.getTime() - 1), zone)[0]!;
    expect(moved.nextRunAt).toBe(expected.toISOString());
    expect((await pass(tenantId, seconds(saved, 10))).acted).toBe(1);
    expect((await pass(tenantId, seconds(saved, 20))).acted).toBe(0);
  });

  it("a run not yet due is counted after the save, as before", async () => {
    const t0 = new Date();
    const daily = { repeat: "daily" as const, time: twoHoursLater(t0) };
    const { tenantId, templateId, id, runAt } = await activeBroadcast(daily, t0);
    const edited = await updateCampaign(
      db,
      tenantId,
      id,
      broadcast(templateId, daily, "Early fix"),
      ACTOR,
      seconds(t0, 60),
    );
    expect(edited.nextRunAt).toBe(runAt.toISOString());
  });
});

describe("a broadcast's schedule saved after a run", () => {
  const HOUR = 3_600_000;
  const daily = (time: string) => ({ repeat: "daily" as const, time });

  it("a daily 18:00 broadcast moved to 19:00 at 18:30 after its run next runs tomorrow, not again today", async () => {
    // An 18:00 of the coming days in Warsaw, whatever the time now.
    const runAt = nextBroadcastRuns(daily("18:00"), new Date(Date.now() + 24 * HOUR), zone)[0]!;
    const t0 = new Date(runAt.getTime() - 2 * HOUR);
    const { tenantId, templateId, id } = await activeBroadcast(daily("18:00"), t0);
    await addCustomer(db, tenantId);
    expect((await pass(tenantId, seconds(runAt, 10))).acted).toBe(2);

    const moved = await updateCampaign(
      db,
      tenantId,
      id,
      broadcast(templateId, daily("19:00")),
      ACTOR,
      seconds(runAt, 30 * 60),
    );
    // The next 19:00 on a later local date than the 18:00 run: tomorrow's.
    const tomorrow = nextBroadcastRuns(daily("19:00"), new Date(runAt.getTime() + 12 * HOUR), zone)[0]!;
    expect(moved.nextRunAt).toBe(tomorrow.toISOString());
    expect((await pass(tenantId, seconds(runAt, 60 * 60 + 10))).acted).toBe(0);
    expect(await db.campaignEnrolment.count({ where: { campaignId: id } })).toBe(2);
    expect((await pass(tenantId, seconds(tomorrow, 10))).acted).toBe(2);
  });

  it("paused after the run, moved while paused and resumed the same evening: tomorrow's run too", async () => {
    const runAt = nextBroadcastRuns(daily("18:00"), new Date(Date.now() + 24 * HOUR), zone)[0]!;
    const { tenantId, templateId, id } = await activeBroadcast(daily("18:00"), new Date(runAt.getTime() - HOUR));
    expect((await pass(tenantId, seconds(runAt, 10))).acted).toBe(1);
    await setCampaignStatus(db, tenantId, id, "paused", ACTOR, seconds(runAt, 10 * 60));
    await updateCampaign(db, tenantId, id, broadcast(templateId, daily("19:00")), ACTOR, seconds(runAt, 20 * 60));
    const resumed = await setCampaignStatus(db, tenantId, id, "active", ACTOR, seconds(runAt, 30 * 60));
    const tomorrow = nextBroadcastRuns(daily("19:00"), new Date(runAt.getTime() + 12 * HOUR), zone)[0]!;
    expect(resumed.nextRunAt).toBe(tomorrow.toISOString());
  });
});
