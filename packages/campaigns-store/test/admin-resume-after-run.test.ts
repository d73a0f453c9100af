import { nextBroadcastRuns } from "@regulars/campaigns";
import type { CampaignDefinitionInput } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { runDueBroadcasts, setCampaignStatus } from "../src/index.ts";
import { ACTOR, domainError } from "./admin-fixtures.ts";
import {
  addCampaign,
  addCustomer,
  addSegment,
  couponCampaign,
  couponsOf,
  DAY,
  HOUR,
  later,
  runDueSteps,
  runnerDb,
  runnerTenant,
} from "./runner-fixtures.ts";

// A broadcast paused after its last run (a one-time one, or a recurring one past its `until`) has no run left, yet
// the steps its run planned are held by the pause: resuming it saves it active with no next run, and they run. One
// that never ran and has no run left is still refused: resumed, it would send nothing.

const { db } = runnerDb();
const now = new Date();
const zone = "Europe/Warsaw";

/** A tenant, a segment of two reachable members, and an active broadcast on `schedule` due at `runAt`. */
async function broadcastTo(schedule: Extract<CampaignDefinitionInput["trigger"], { type: "broadcast" }>["schedule"]) {
  const { tenantId } = await runnerTenant(db, zone);
  const fries = await couponCampaign(db, tenantId);
  const members = [
    await addCustomer(db, tenantId, { push: true, consents: ["push"] }),
    await addCustomer(db, tenantId, { push: true, consents: ["push"] }),
  ];
  const segmentId = await addSegment(db, tenantId, members);
  const runAt = schedule.repeat === "once" ? new Date(schedule.at) : nextBroadcastRuns(schedule, now, zone)[0]!;
  const id = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "segment", segmentId },
      trigger: { type: "broadcast", schedule },
      actions: [
        { type: "send_message", channel: "push", templateId: "tpl_new" },
        { type: "issue_coupon", couponCampaignId: fries, wait: { amount: 1, unit: "days" } },
      ],
    },
    { nextRunAt: runAt, startedAt: now },
  );
  return { tenantId, id, runAt };
}

const status = (id: string) => db.campaign.findUniqueOrThrow({ where: { id }, select: { status: true } });

describe("resuming a broadcast after its last run", () => {
  it("a one-time broadcast paused after its run resumes with no next run, and its held coupons come", async () => {
    const { tenantId, id, runAt } = await broadcastTo({ repeat: "once", at: later(now, HOUR).toISOString() });
    expect((await runDueBroadcasts({ db, tenantId, zone, now: later(runAt, 10_000) })).acted).toBe(2);
    await setCampaignStatus(db, tenantId, id, "paused", ACTOR, later(runAt, HOUR));

    const resumed = await setCampaignStatus(db, tenantId, id, "active", ACTOR, later(runAt, 2 * HOUR));
    expect(resumed).toMatchObject({ status: "active", nextRunAt: null });
    // The coupon a day after the message: both steps run now that the broadcast is active again.
    const dayLater = later(runAt, DAY + 60_000);
    await runDueSteps(db, tenantId, dayLater);
    await runDueSteps(db, tenantId, dayLater);
    expect(await couponsOf(db, tenantId)).toBe(2);
    expect((await runDueBroadcasts({ db, tenantId, zone, now: dayLater })).acted).toBe(0);
  });

  it("a daily broadcast whose `until` passed after its last run resumes with no next run", async () => {
    const first = nextBroadcastRuns({ repeat: "daily", time: "18:00" }, now, zone)[0]!;
    const schedule = { repeat: "daily" as const, time: "18:00", until: later(first, HOUR).toISOString() };
    const { tenantId, id, runAt } = await broadcastTo(schedule);
    expect(runAt).toEqual(first);
    expect((await runDueBroadcasts({ db, tenantId, zone, now: later(runAt, 10_000) })).acted).toBe(2);
    await setCampaignStatus(db, tenantId, id, "paused", ACTOR, later(runAt, 30 * 60_000));
    const resumed = await setCampaignStatus(db, tenantId, id, "active", ACTOR, later(runAt, 2 * HOUR));
    expect(resumed).toMatchObject({ status: "active", nextRunAt: null });
  });

  it("a one-time broadcast paused before its run and resumed after its time is refused: it never ran", async () => {
    const { tenantId, id, runAt } = await broadcastTo({ repeat: "once", at: later(now, HOUR).toISOString() });
    await setCampaignStatus(db, tenantId, id, "paused", ACTOR, later(now, 10 * 60_000));
    const e = await domainError(setCampaignStatus(db, tenantId, id, "active", ACTOR, later(runAt, HOUR)));
    expect(e.code).toBe("unprocessable");
    expect(await status(id)).toEqual({ status: "paused" });
  });
});
