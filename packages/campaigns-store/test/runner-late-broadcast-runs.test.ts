import { LATE_BROADCAST_RUN_GRACE_MS, nextBroadcastRuns } from "@regulars/campaigns";
import type { CampaignDefinitionInput } from "@regulars/contracts";
import { describe, expect, it } from "vitest";
import { runDueBroadcasts } from "../src/index.ts";
import { addCampaign, addCustomer, DAY, enrolmentsOf, HOUR, later, runnerDb, runnerTenant } from "./runner-fixtures.ts";

// A repeating broadcast's run found well past its time (the scheduler was down at 18:00 and came back at 03:00) is
// missed, not sent at night: nobody is planned and the next run is the schedule's next. Within the grace it goes as
// ever; a run that had started before the scheduler stopped is finished however late; a one-time run still goes.

const { db } = runnerDb();
const now = new Date();
const zone = "Europe/Warsaw";
const eighteen = { repeat: "daily" as const, time: "18:00" };
/** An 18:00 in Warsaw some days back, whatever the time now. */
const past18 = nextBroadcastRuns(eighteen, later(now, -3 * DAY), zone)[0]!;

type Schedule = Extract<CampaignDefinitionInput["trigger"], { type: "broadcast" }>["schedule"];

async function broadcastDue(schedule: Schedule, runAt: Date, lastRunAt: Date | null = null) {
  const { tenantId } = await runnerTenant(db, zone);
  await addCustomer(db, tenantId);
  await addCustomer(db, tenantId);
  const id = await addCampaign(
    db,
    tenantId,
    {
      audience: { kind: "all_members" },
      trigger: { type: "broadcast", schedule },
      actions: [{ type: "award_points", points: 5, reason: "Evening treat" }],
      limits: { perCustomer: { mode: "repeatable", minGapHours: 0 } },
    },
    { nextRunAt: runAt, startedAt: later(runAt, -DAY) },
  );
  if (lastRunAt) await db.$executeRaw`UPDATE campaigns SET last_run_at = ${lastRunAt} WHERE id = ${id}`;
  return { tenantId, id, pass: (at: Date) => runDueBroadcasts({ db, tenantId, zone, now: at }) };
}

const nextRunOf = async (id: string) =>
  (await db.campaign.findUniqueOrThrow({ where: { id }, select: { nextRunAt: true } })).nextRunAt;

describe("a broadcast run found late", () => {
  it("a daily 18:00 run found at 03:00 is missed: nobody planned, the next run is that evening's", async () => {
    const { id, pass } = await broadcastDue(eighteen, past18);
    const night = later(past18, 9 * HOUR);
    expect((await pass(night)).acted).toBe(0);
    const evening = nextBroadcastRuns(eighteen, night, zone)[0]!;
    expect(await nextRunOf(id)).toEqual(evening);
    expect(await enrolmentsOf(db, id)).toEqual([]);
    expect((await pass(later(evening, 30_000))).acted).toBe(2);
    expect(new Set((await enrolmentsOf(db, id)).map((e) => e.occurrence))).toEqual(
      new Set([`broadcast:${evening.toISOString()}`]),
    );
  });

  it("within the grace the run goes", async () => {
    const { pass } = await broadcastDue(eighteen, past18);
    expect((await pass(later(past18, LATE_BROADCAST_RUN_GRACE_MS))).acted).toBe(2);
  });

  it("a run that had started before the scheduler stopped is finished however late", async () => {
    const { id, pass } = await broadcastDue(eighteen, past18, past18);
    expect((await pass(later(past18, 9 * HOUR))).acted).toBe(2);
    expect((await enrolmentsOf(db, id)).map((e) => e.occurrence)).toEqual(
      Array(2).fill(`broadcast:${past18.toISOString()}`),
    );
  });

  it("a one-time run still goes however late: it is the broadcast's only one", async () => {
    const { id, pass } = await broadcastDue({ repeat: "once", at: past18.toISOString() }, past18);
    expect((await pass(later(past18, 9 * HOUR))).acted).toBe(2);
    expect(await nextRunOf(id)).toBeNull();
  });
});
