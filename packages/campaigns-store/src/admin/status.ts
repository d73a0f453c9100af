import { nextBroadcastRunAfterLast } from "@regulars/campaigns";
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
 * and now, is still sent, once, on the next pass (on a later local date than the last run, as any new schedule).
 */
function keptRun(schedule: BroadcastSchedule, due: DueRun, zone: string, lastRunAt: Date | null): Date | null {
  if (due.sameSchedule) return due.at;
  return nextBroadcastRunAfterLast(schedule, new Date(due.at.getTime() - 1), zone, lastRunAt);
}

/** The columns a status decides beside itself. */
export interface StatusFields {
  status: CampaignStatus;
  /** The next broadcast run: only while scheduled or active, so a paused broadcast is never due. */
  nextRunAt: Date | null;
  /** When it first became active; kept from then on. */
  startedAt: Date | null;
}

/** What `statusFields` reads beside the definition and the status asked for. */
export interface StatusContext {
  zone: string;
  now: Date;
  /** The row's `started_at`. */
  startedAt: Date | null;
  /** The broadcast run the scheduler last started (`last_run_at`), null if it never ran. */
  lastRunAt?: Date | null;
  /** False when a new version keeps the campaign's status rather than moving it. */
  moving?: boolean;
  /** A run the row holds that is due and not yet taken by the scheduler. */
  dueRun?: DueRun | null;
}

/**
 * What a campaign's row holds in `status`, given its definition: a broadcast that is scheduled or active gets
 * its next run after `now` in the tenant's zone (a resumed broadcast skips the runs it missed while paused), on a
 * later local date than its last run (`nextBroadcastRunAfterLast`: a schedule saved after today's run does not send
 * again today). Refuses `scheduled` for anything but a broadcast, and a move into `scheduled` or `active` of a
 * broadcast that never ran and whose schedule has no run left, which would sit there forever. A broadcast that ran
 * (a one-time one, a recurring one past its `until`) is resumed with no next run: its steps held by the pause (a
 * coupon a day after the message) still run. A new version of an active broadcast whose last run is over (`moving`
 * false) is saved with no next run; one saved while a run is due and not yet taken by the scheduler (`dueRun`) keeps
 * that run (see `keptRun`).
 */
export function statusFields(definition: CampaignDefinition, status: CampaignStatus, ctx: StatusContext): StatusFields {
  const { zone, now, startedAt, lastRunAt = null, moving = true, dueRun = null } = ctx;
  const trigger = definition.trigger;
  if (status === "scheduled" && trigger.type !== "broadcast")
    throw new DomainError("unprocessable", `only a broadcast is scheduled; a ${trigger.type} campaign is activated`, [
      { path: "status", message: "only a broadcast can be scheduled" },
    ]);
  let nextRunAt: Date | null = null;
  if (trigger.type === "broadcast" && (status === "scheduled" || status === "active")) {
    nextRunAt = dueRun
      ? keptRun(trigger.schedule, dueRun, zone, lastRunAt)
      : nextBroadcastRunAfterLast(trigger.schedule, now, zone, lastRunAt);
    if (!nextRunAt && moving && !(status === "active" && lastRunAt))
      throw new DomainError("unprocessable", "the broadcast's schedule has no run after now", [
        { path: "trigger.schedule", message: "no run left after now: move the time or the end" },
      ]);
  }
  return { status, nextRunAt, startedAt: startedAt ?? (status === "active" ? now : null) };
}
