import type { DeliveryTiming, DeliveryZone, QuietHours } from "@regulars/contracts";
import type { WallClock } from "@regulars/rules";
import { addDays, instantAt, isKnownZone, localClock, localDateOf, MINUTE_MS, minutesOfDay } from "./local-time.ts";

export interface ScheduledSend {
  at: Date;
  /** True when quiet hours moved the send to their end. */
  quietHoursPostponed: boolean;
}

/**
 * When a message goes out. `immediately` is the moment asked; `local_time` is the first time the zone's clock
 * reads that time at or after it ("18:00 that evening", the next day's 18:00 when past). Quiet hours then
 * move a send that falls inside them to their end, never earlier: a message the customer would see at night
 * waits for the morning rather than being dropped.
 */
export function scheduledSendAt(
  timing: DeliveryTiming,
  from: Date,
  zone: string,
  quietHours: QuietHours | null,
): ScheduledSend {
  const wanted = timing.at === "local_time" ? nextLocalTime(from.getTime(), minutesOfDay(timing.time), zone) : from;
  const at = quietHours ? afterQuietHours(wanted, quietHours, zone) : wanted;
  return { at, quietHoursPostponed: at.getTime() !== wanted.getTime() };
}

/**
 * How late a local-time message may still go at the moment it was planned for: a claim's poll, a retry or a short
 * backlog keep "18:00" around 18:00, a day's wait for them would be worse.
 */
export const LATE_LOCAL_TIME_GRACE_MS = 15 * MINUTE_MS;

/**
 * When a message step that runs at `now` goes out. An immediate one at `dueAt`, as ever. A local-time one planned for
 * `plannedAt` (the moment `scheduledSendAt` gave) and run well after it (held while its campaign was paused, retried
 * for hours) goes at the next such local time from now, by the same rule: an "18:00" message resumed at 23:30 is
 * tomorrow's 18:00 message, not a late-night one.
 */
export function lateSendAt(
  timing: DeliveryTiming,
  quietHours: QuietHours | null,
  zone: string,
  times: { plannedAt: Date; dueAt: Date; now: Date },
): Date {
  if (timing.at !== "local_time" || times.now.getTime() - times.plannedAt.getTime() <= LATE_LOCAL_TIME_GRACE_MS)
    return times.dueAt;
  return scheduledSendAt(timing, times.now, zone, quietHours).at;
}

/** The first instant at or after `fromMs` at which the zone's clock reads `minutes` past midnight. */
export function nextLocalTime(fromMs: number, minutes: number, zone: string): Date {
  const today = localDateOf(fromMs, zone);
  const sameDay = instantAt(today, minutes, zone);
  return new Date(sameDay >= fromMs ? sameDay : instantAt(addDays(today, 1), minutes, zone));
}

/** The last instant at or before `fromMs` at which the zone's clock reads `minutes` past midnight. */
export function previousLocalTime(fromMs: number, minutes: number, zone: string): Date {
  const today = localDateOf(fromMs, zone);
  const sameDay = instantAt(today, minutes, zone);
  return new Date(sameDay <= fromMs ? sameDay : instantAt(addDays(today, -1), minutes, zone));
}

/**
 * When the local time that last came at or before `now` was due to go out: that instant, moved past the quiet hours
 * it fell in as `scheduledSendAt` moves it (so after `now` while those quiet hours last). Lateness is measured from
 * it, not from a message's `send_at`: a message held for its next local time keeps its first `send_at`.
 */
export function lastLocalTimeSendAt(
  timing: Extract<DeliveryTiming, { at: "local_time" }>,
  quietHours: QuietHours | null,
  zone: string,
  now: Date,
): Date {
  const last = previousLocalTime(now.getTime(), minutesOfDay(timing.time), zone);
  return quietHours ? afterQuietHours(last, quietHours, zone) : last;
}

/** Whether a local minute of the day is inside quiet hours (`start` included, `end` excluded). */
export function inQuietHours(minute: number, quiet: QuietHours): boolean {
  const start = minutesOfDay(quiet.start);
  const end = minutesOfDay(quiet.end);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

/**
 * The instant itself when outside quiet hours, else the end of the quiet hours it falls in: the first instant at or
 * after it when the zone's clock reads their end (an end skipped by DST moves forward by the gap, like any local time).
 */
export function afterQuietHours(at: Date, quiet: QuietHours, zone: string): Date {
  const clock = localClock(at.getTime(), zone);
  const minute = clock.hour * 60 + clock.minute;
  if (!inQuietHours(minute, quiet)) return at;
  const end = minutesOfDay(quiet.end);
  // Past midnight the quiet hours end today; before midnight (spanning ones) they end tomorrow.
  const endsToday = minute < end;
  const date = endsToday ? localDateOf(at.getTime(), zone) : addDays(localDateOf(at.getTime(), zone), 1);
  const firstReading = instantAt(date, end, zone);
  if (firstReading >= at.getTime()) return new Date(firstReading);
  // Clocks went back and `at` is in the repeated hour's second pass: the end that follows it is the clock's second
  // reading of `end`, on the UTC offset in force at `at`. The first reading lies behind `at`; sending at it would
  // put the send before the trigger (and the send check would let it out inside quiet hours).
  const offset = wallAsUtc(clock) - at.getTime();
  return new Date(Date.UTC(date.year, date.month - 1, date.day, 0, end) - offset);
}

/** A wall clock read as if it were UTC: minus an instant, the zone's offset at that instant. */
const wallAsUtc = (w: WallClock): number =>
  Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);

export interface KnownZones {
  customer?: string | null | undefined;
  location?: string | null | undefined;
  tenant: string;
}

const fallbackOrder: Record<DeliveryZone, DeliveryZone[]> = {
  customer: ["customer", "location", "tenant"],
  location: ["location", "tenant"],
  tenant: ["tenant"],
};

/**
 * The zone a delivery reads its clock in: the one the campaign asks for, else the next one down the chain
 * (customer → location → tenant). A zone Intl does not know is skipped, so a bad value on one customer's
 * profile falls back to the tenant's clock instead of failing the campaign.
 */
export function deliveryZone(preferred: DeliveryZone, zones: KnownZones): string {
  for (const source of fallbackOrder[preferred]) {
    const zone = zones[source];
    if (zone && isKnownZone(zone)) return zone;
  }
  return zones.tenant;
}
