import { expect, it } from "vitest";
import { setCampaignStatus, startAlwaysOnCampaigns, updateCampaign } from "../src/index.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  DAY,
  enrolmentsOf,
  HOUR,
  later,
  runnerDb,
  runnerTenant,
} from "./runner-fixtures.ts";

// An always-on campaign whose audience is changed (segment A, then B) owes B's existing members a start pass of its
// own: they joined B before its `segment.entered` could match the campaign. The pass is named by the version that
// set the audience; whom the campaign already enrolled under A is not enrolled again, even where the campaign is
// repeatable; B's later joiners are left to their events.

const { db } = runnerDb();

const now = new Date();

it("enrols the existing members of a changed audience once, and the members of both audiences not again", async () => {
  const { tenantId } = await runnerTenant(db);
  const onlyA = await addCustomer(db, tenantId);
  const both = await addCustomer(db, tenantId);
  const onlyB = await addCustomer(db, tenantId);
  const segA = await addSegment(db, tenantId, [onlyA, both], later(now, -2 * DAY));
  const segB = await addSegment(db, tenantId, [both, onlyB], later(now, -2 * DAY));
  const changedAt = later(now, 60_000);
  // Joined B after the change: its own `segment.entered` reaches the campaign, not the start pass.
  const lateB = await addCustomer(db, tenantId);
  await db.segmentMember.create({
    data: { segmentId: segB, customerId: lateB, tenantId, enteredAt: later(now, 90_000) },
  });
  const definition = (segmentId: string) => ({
    name: "Always",
    status: "active",
    audience: { kind: "segment", segmentId },
    trigger: { type: "always_on" },
    actions: [{ type: "award_points", points: 5, reason: "Welcome to the club" }],
    limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
  });
  const campaignId = await addCampaign(db, tenantId, definition(segA) as never, { startedAt: later(now, -DAY) });
  const ctx = { db, tenantId, zone: "Europe/Warsaw" };

  expect((await startAlwaysOnCampaigns({ ...ctx, now })).acted).toBe(2);
  await updateCampaign(db, tenantId, campaignId, definition(segB), "key_test_admin", changedAt);
  expect((await startAlwaysOnCampaigns({ ...ctx, now: later(now, 120_000) })).acted).toBe(1);
  // Finished: a later pass pages through neither audience again.
  expect((await startAlwaysOnCampaigns({ ...ctx, now: later(now, 180_000) })).acted).toBe(0);

  const enrolled = await enrolmentsOf(db, campaignId);
  const named = new Map([
    [onlyA, "onlyA"],
    [both, "both"],
    [onlyB, "onlyB"],
    [lateB, "lateB"],
  ]);
  const started = `always_on:start:${later(now, -DAY).toISOString()}`;
  expect(enrolled.map((e) => [named.get(e.customerId), e.occurrence, e.outcome]).sort()).toEqual([
    ["both", started, "entered"],
    ["onlyA", started, "entered"],
    ["onlyB", `${started}:v2`, "entered"],
  ]);
});

// A paused campaign hears no events: whoever joined its audience during the pause had their `segment.entered`
// acknowledged and dropped. The resume owes them a catch-up pass, named by the resume, once.
it("enrols once, after a resume, the members who joined the audience while the campaign was paused", async () => {
  const { tenantId } = await runnerTenant(db);
  const existing = await addCustomer(db, tenantId);
  const segmentId = await addSegment(db, tenantId, [existing], later(now, -2 * DAY));
  const joins = async (at: Date) => {
    const customerId = await addCustomer(db, tenantId);
    await db.segmentMember.create({ data: { segmentId, customerId, tenantId, enteredAt: at } });
    return customerId;
  };
  const during = await joins(later(now, 1.5 * HOUR));
  // Joined after the resume: its own event reaches the running campaign, not the catch-up pass.
  const after = await joins(later(now, 3 * HOUR));
  const campaignId = await addCampaign(
    db,
    tenantId,
    {
      name: "Always",
      audience: { kind: "segment", segmentId },
      trigger: { type: "always_on" },
      actions: [{ type: "award_points", points: 50, reason: "Welcome to the club" }],
    },
    { startedAt: now },
  );
  const ctx = { db, tenantId, zone: "Europe/Warsaw" };
  expect((await startAlwaysOnCampaigns({ ...ctx, now: later(now, 60_000) })).acted).toBe(1);
  await setCampaignStatus(db, tenantId, campaignId, "paused", "key_test_admin", later(now, HOUR));
  const resumedAt = later(now, 2 * HOUR);
  await setCampaignStatus(db, tenantId, campaignId, "active", "key_test_admin", resumedAt);

  expect((await startAlwaysOnCampaigns({ ...ctx, now: later(resumedAt, 60_000) })).acted).toBe(1);
  expect((await startAlwaysOnCampaigns({ ...ctx, now: later(resumedAt, 120_000) })).acted).toBe(0);
  const named = new Map([
    [existing, "existing"],
    [during, "during"],
    [after, "after"],
  ]);
  expect((await enrolmentsOf(db, campaignId)).map((e) => [named.get(e.customerId), e.occurrence]).sort()).toEqual([
    ["during", `always_on:resume:${resumedAt.toISOString()}`],
    ["existing", `always_on:start:${now.toISOString()}`],
  ]);
});
