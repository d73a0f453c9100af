import type { BroadcastSchedule } from "@regulars/contracts";
import { addDays, daysInMonth, instantAt, type LocalDate, localDateOf, minutesOfDay, weekdayOf } from "./local-time.ts";

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
