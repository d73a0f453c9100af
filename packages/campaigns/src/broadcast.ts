import type { BroadcastSchedule } from "@regulars/contracts";
import { LATE_LOCAL_TIME_GRACE_MS } from "./delivery.ts";
import {
  addDays,
  daysInMonth,
  instantAt,
  isoDate,
  type LocalDate,
  localDateOf,
  minutesOfDay,
  weekdayOf,
} from "./local-time.ts";

/** Every recurring schedule runs at least once in any 31 local days, so this many days hold `count` runs. */
const scanDays = (count: number) => 31 * (count + 1);

function runsOn(schedule: Exclude<BroadcastSchedule, { repeat: "once" }>, date: LocalDate): boolean {
  switch (schedule.repeat) {
    case "daily":
      return true;
    case "weekly":
      return schedule.weekdays.includes(weekdayOf(date));
    case "monthly":
      // 31 means the last day in shorter months: a monthly broadcast never skips a month.
      return date.day === Math.min(schedule.dayOfMonth, daysInMonth(date.year, date.month));
  }
}

/**
 * The next `count` runs strictly after `after`, in order. Recurring runs happen at the schedule's local time
 * in `zone`: a time skipped by DST moves forward by the gap, a repeated one happens once (its first
 * occurrence). Runs end at `until` (included when exact).
 */
export function nextBroadcastRuns(schedule: BroadcastSchedule, after: Date, zone: string, count = 1): Date[] {
  if (schedule.repeat === "once") {
    const at = new Date(schedule.at);
    return at.getTime() > after.getTime() && count > 0 ? [at] : [];
  }
  const until = schedule.until ? Date.parse(schedule.until) : Number.POSITIVE_INFINITY;
  const minutes = minutesOfDay(schedule.time);
  const runs: Date[] = [];
  // Start a day early: `after`'s local date in the zone may still hold a run later that day.
  let date = addDays(localDateOf(after.getTime(), zone), -1);
  for (let i = 0; i < scanDays(count) && runs.length < count; i++, date = addDays(date, 1)) {
    if (!runsOn(schedule, date)) continue;
    const at = instantAt(date, minutes, zone);
    if (at > until) break;
    if (at > after.getTime()) runs.push(new Date(at));
  }
  return runs;
}

/**
 * The local period a recurring schedule runs once in: the date for daily and weekly runs (a weekly schedule may run
 * on several days of a week), the month for monthly ones. As text that sorts in time order.
 */
function periodOf(schedule: Exclude<BroadcastSchedule, { repeat: "once" }>, at: Date, zone: string): string {
  const date = isoDate(localDateOf(at.getTime(), zone));
  return schedule.repeat === "monthly" ? date.slice(0, 7) : date;
}

/**
 * The next run strictly after `after` that falls in a later local period than `lastRun`, the run the broadcast last
 * started. Occurrences are named by the run's instant, so a schedule saved after today's run (18:00 moved to 19:00 at
 * 18:30) would otherwise send everyone the broadcast twice that day; its first run under the new schedule is on a
 * later date (a later month for a monthly one). A one-time schedule is the admin's explicit instant and is not held
 * back.
 */
export function nextBroadcastRunAfterLast(
  schedule: BroadcastSchedule,
  after: Date,
  zone: string,
  lastRun: Date | null,
): Date | null {
  let [next] = nextBroadcastRuns(schedule, after, zone);
  if (!lastRun || schedule.repeat === "once") return next ?? null;
  const last = periodOf(schedule, lastRun, zone);
  while (next && periodOf(schedule, next, zone) <= last) [next] = nextBroadcastRuns(schedule, next, zone);
  return next ?? null;
}

/**
 * How late a repeating broadcast's run may still start: the same grace as a local-time message (a scheduler pass
 * every minute, a short backlog or a restart keep a "18:00" run around 18:00). Past it the run is missed, not sent at
 * whatever hour the scheduler came back (03:00 after an outage); the next run is the schedule's next after now.
 */
export const LATE_BROADCAST_RUN_GRACE_MS = LATE_LOCAL_TIME_GRACE_MS;

/**
 * Whether a due run is too late to start at `now`. A one-time run still goes however late: it is the broadcast's only
 * run, and skipping it would drop the broadcast altogether (quiet hours and local-time delivery still time its
 * messages).
 */
export const broadcastRunMissed = (schedule: BroadcastSchedule, runAt: Date, now: Date): boolean =>
  schedule.repeat !== "once" && now.getTime() - runAt.getTime() > LATE_BROADCAST_RUN_GRACE_MS;
