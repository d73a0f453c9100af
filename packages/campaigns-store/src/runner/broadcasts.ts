import { broadcastOccurrence, broadcastRunMissed, nextBroadcastRuns } from "@regulars/campaigns";
import { loadCampaigns, type RunnableCampaign } from "./active-campaigns.ts";
import {
  audiencePages,
  enrolInChunks,
  entriesOf,
  type ScheduleContext,
  type ScheduleResult,
} from "./enrol-in-chunks.ts";

/**
 * Broadcasts whose next run is due: every audience member enrolled in the run's occurrence (the planned instant,
 * the same on every instance), then the next run set. A `scheduled` broadcast becomes `active` as its first run
 * starts. The run is recorded as started (`last_run_at`) before anyone is planned, so a pass cut short (a crash, a
 * lost lease) runs the same occurrence again and plans only who is left, however late it comes back. A repeating
 * run found past its grace that never started is missed (`broadcastRunMissed`): nobody is planned and the next run
 * is the schedule's next after now.
 */
export async function runDueBroadcasts(ctx: ScheduleContext): Promise<ScheduleResult> {
  const out: ScheduleResult = { acted: 0, outbox: [] };
  const due = (
    await loadCampaigns(
      ctx.db,
      { tenantId: ctx.tenantId, statuses: ["scheduled", "active"], triggers: ["broadcast"] },
      ctx.onUnreadable,
    )
  ).filter((c) => c.nextRunAt !== null && c.nextRunAt.getTime() <= ctx.now.getTime());
  for (const found of due) {
    const runAt = found.nextRunAt!;
    const trigger = found.definition.trigger;
    if (trigger.type !== "broadcast") continue;
    const started = found.lastRunAt?.getTime() === runAt.getTime();
    if (!started && broadcastRunMissed(trigger.schedule, runAt, ctx.now)) {
      await moveNextRun(ctx, found.id, runAt, nextBroadcastRuns(trigger.schedule, ctx.now, ctx.zone)[0] ?? null);
      continue;
    }
    // Only the pass that still finds the run due records it: another instance may have moved it on meanwhile.
    const [taken] = await ctx.db.$queryRaw<{ id: string }[]>`
      UPDATE campaigns SET last_run_at = ${runAt},
        status = CASE WHEN status = 'scheduled' THEN 'active' ELSE status END,
        started_at = CASE WHEN status = 'scheduled' THEN coalesce(started_at, ${ctx.now}) ELSE started_at END,
        updated_at = ${ctx.now}
      WHERE id = ${found.id} AND next_run_at = ${runAt} AND status IN ('scheduled', 'active')
      RETURNING id`;
    if (!taken) continue;
    const campaign: RunnableCampaign = {
      ...found,
      status: "active",
      definition: { ...found.definition, status: "active" },
    };
    await enrolInChunks(
      ctx,
      campaign,
      entriesOf(audiencePages(ctx, campaign.definition.audience, null), broadcastOccurrence(runAt), runAt),
      out,
      true,
    );
    // Runs missed while nothing ran are not made up: the next one is after now.
    const after = new Date(Math.max(runAt.getTime(), ctx.now.getTime()));
    await moveNextRun(ctx, campaign.id, runAt, nextBroadcastRuns(trigger.schedule, after, ctx.zone)[0] ?? null);
  }
  return out;
}

/** Moves a broadcast's next run on from `runAt`, unless an admin's save or another pass moved it first. */
async function moveNextRun(ctx: ScheduleContext, id: string, runAt: Date, next: Date | null): Promise<void> {
  await ctx.db.$executeRaw`
    UPDATE campaigns SET next_run_at = ${next}, updated_at = ${ctx.now} WHERE id = ${id} AND next_run_at = ${runAt}`;
}
