import { nextBroadcastRuns } from "@regulars/campaigns";
import type { BroadcastSchedule, CampaignDefinition, CampaignStatus } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";

/**
 * A broadcast run the row holds that is due (`next_run_at` at or before now) but not yet taken by the scheduler,
 * which picks rows with `next_run_at <= now` and then moves it on. `sameSchedule`: the new version keeps the schedule.
 */
export interface DueRun {
  at: Date;
  sameSchedule: boolean;
}

/**
 * The next run of a broadcast edited while a run is due. Counting runs after the save would skip it (a daily 10:00
 * broadcast fixed at 10:00:20 would not send that day; a one-time one would never send), so: the same schedule keeps
 * the due run as it is (a scheduler pass already running it then moves `next_run_at` on as usual); a new schedule
 * keeps its first run at or after the due one, so a run the new schedule also has at that time, or has between it
 * and now, is still sent, once, on the next pass.
 */
function keptRun(schedule: BroadcastSchedule, due: DueRun, zone: string): Date | null {
  if (due.sameSchedule) return due.at;
  return nextBroadcastRuns(schedule, new Date(due.at.getTime() - 1), zone)[0] ?? null;
}

/** The columns a status decides beside itself. */
export interface StatusFields {
  status: CampaignStatus;
  /** The next broadcast run: only while scheduled or active, so a paused broadcast is never due. */
  nextRunAt: Date | null;
  /** When it first became active; kept from then on. */
  startedAt: Date | null;
}

/**
 * What a campaign's row holds in `status`, given its definition: a broadcast that is scheduled or active gets
 * its next run after `now` in the tenant's zone (a resumed broadcast skips the runs it missed while paused).
 * Refuses `scheduled` for anything but a broadcast, and a move into `scheduled` or `active` of a broadcast whose
 * schedule has no run left, which would sit there forever. A new version of an active broadcast whose last run
 * is over (`moving` false) is saved with no next run; one saved while a run is due and not yet taken by the
 * scheduler (`dueRun`) keeps that run (see `keptRun`).
 */
export function statusFields(
  definition: CampaignDefinition,
  status: CampaignStatus,
  startedAt: Date | null,
  zone: string,
  now: Date,
  moving = true,
  dueRun: DueRun | null = null,
): StatusFields {
  const trigger = definition.trigger;
  if (status === "scheduled" && trigger.type !== "broadcast")
    throw new DomainError("unprocessable", `only a broadcast is scheduled; a ${trigger.type} campaign is activated`, [
      { path: "status", message: "only a broadcast can be scheduled" },
    ]);
  let nextRunAt: Date | null = null;
  if (trigger.type === "broadcast" && (status === "scheduled" || status === "active")) {
    nextRunAt = dueRun
      ? keptRun(trigger.schedule, dueRun, zone)
      : (nextBroadcastRuns(trigger.schedule, now, zone)[0] ?? null);
    if (!nextRunAt && moving)
      throw new DomainError("unprocessable", "the broadcast's schedule has no run after now", [
        { path: "trigger.schedule", message: "no run left after now: move the time or the end" },
      ]);
  }
  return { status, nextRunAt, startedAt: startedAt ?? (status === "active" ? now : null) };
}
