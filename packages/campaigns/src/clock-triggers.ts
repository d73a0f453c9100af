import { addDays, DAY_MS, instantAt, isoDate, type LocalDate, localDateOf } from "./local-time.ts";

/** A time-based trigger found by the daily scan: the occurrence (for step keys) and when it fired. */
export interface ClockOccurrence {
  occurrence: string;
  at: Date;
}

const DOB = /^(\d{4})-(\d{2})-(\d{2})$/;
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Whether a local date is the birthday; 29 February birthdays fall on 28 February in common years. */
export function isBirthdayOn(dateOfBirth: string, date: LocalDate): boolean {
  const m = DOB.exec(dateOfBirth);
  if (m === null) return false;
  const month = Number(m[2]);
  let day = Number(m[3]);
  if (month === 2 && day === 29 && !isLeap(date.year)) day = 28;
  return date.month === month && date.day === day;
}

/**
 * How many local days, today included, a daily scan looks back for days no scan ran on (an outage, a deploy, the
 * tenant's job failing all day). A greeting later than that is more odd than welcome.
 */
export const SCAN_CATCH_UP_DAYS = 7;

const dayOf = (day: string): LocalDate => {
  const [year, month, date] = day.split("-").map(Number);
  return { year: year!, month: month!, day: date! };
};

/** The local days (`YYYY-MM-DD`, oldest first) a scan on `now` may act for: today and the days before it. */
export function scanWindow(now: Date, zone: string): string[] {
  const today = localDateOf(now.getTime(), zone);
  return Array.from({ length: SCAN_CATCH_UP_DAYS }, (_, i) => isoDate(addDays(today, i + 1 - SCAN_CATCH_UP_DAYS)));
}

/**
 * The days of the window (`scanWindow`) a campaign's scan acts for: today, and each day before it after the last
 * one a scan of the campaign finished (`lastScanned`, under any version) and not before the campaign became active
 * (its start, or its last resume: a new campaign does not greet last week's birthdays, a paused one skips the days it
 * was paused). With neither a last scan nor a start, no day is known to be missed: today alone.
 */
export function daysToScan(
  window: readonly string[],
  lastScanned: string | null,
  active: { startedAt: Date | null; resumedAt: Date | null },
  zone: string,
): string[] {
  const today = window[window.length - 1]!;
  const since = [active.startedAt, active.resumedAt]
    .filter((at): at is Date => at !== null)
    .map((at) => isoDate(localDateOf(at.getTime(), zone)))
    .sort()
    .pop();
  if (lastScanned === null && since === undefined) return [today];
  return window.filter(
    (day) => day === today || ((lastScanned === null || day > lastScanned) && (since === undefined || day >= since)),
  );
}

/**
 * The birthday a scan for the local `day` (`YYYY-MM-DD`) acts for: the customer's birthday `daysBefore` days after
 * it. The occurrence names the birthday's local year, not its date, so a repeatable campaign greets once a year and a
 * day scanned twice (a second pass, two instances, a missed day scanned late) adds nothing; a customer who edits
 * their date of birth between scans is not greeted again that year. It fires at local midnight of the day it was
 * due, also when scanned late; delivery picks the hour. Given `registeredAt`, a customer who registered after the day
 * ended is not due on it: a scan run that day would not have found them, so a missed day scanned late greets only
 * those who were customers by its end.
 */
export function birthdayOccurrenceOn(
  trigger: { daysBefore: number },
  dateOfBirth: string | null,
  day: string,
  zone: string,
  registeredAt: Date | null = null,
): ClockOccurrence | null {
  if (!dateOfBirth) return null;
  const due = dayOf(day);
  const birthday = addDays(due, trigger.daysBefore);
  if (!isBirthdayOn(dateOfBirth, birthday)) return null;
  if (registeredAt !== null && registeredAt.getTime() >= instantAt(addDays(due, 1), 0, zone)) return null;
  return { occurrence: `birthday:${birthday.year}`, at: new Date(instantAt(due, 0, zone)) };
}

/** The birthday a scan on `now` acts for, on the zone's local day (`birthdayOccurrenceOn`). */
export const birthdayOccurrence = (
  trigger: { daysBefore: number },
  dateOfBirth: string | null,
  now: Date,
  zone: string,
): ClockOccurrence | null =>
  birthdayOccurrenceOn(trigger, dateOfBirth, isoDate(localDateOf(now.getTime(), zone)), zone);

/**
 * The dates of birth (month and day) a scan for the local `day` looks for, for the store's query: on 28 February of
 * a common year the 29 February birthdays come along.
 */
export function birthdaysDueOn(trigger: { daysBefore: number }, day: string): { month: number; day: number }[] {
  const birthday = addDays(dayOf(day), trigger.daysBefore);
  const due = [{ month: birthday.month, day: birthday.day }];
  if (birthday.month === 2 && birthday.day === 28 && !isLeap(birthday.year)) due.push({ month: 2, day: 29 });
  return due;
}

/** The dates of birth a scan on `now` looks for, on the zone's local day (`birthdaysDueOn`). */
export const birthdaysDue = (trigger: { daysBefore: number }, now: Date, zone: string) =>
  birthdaysDueOn(trigger, isoDate(localDateOf(now.getTime(), zone)));

/**
 * A customer inactive for `days` whole days (24 h each) since their last purchase (an app event is no visit). The
 * occurrence names that last activity alone, so one stretch of inactivity triggers once however often the scan runs,
 * and once however the campaign's days are edited (it was once `inactive:<days>:<last activity>`, which an edit from 30
 * to 45 days made a new occurrence of the same stretch); coming back and lapsing again is a new stretch and a new
 * occurrence.
 */
export function inactivityOccurrence(
  trigger: { days: number },
  lastActivityAt: Date | null,
  now: Date,
): ClockOccurrence | null {
  if (lastActivityAt === null) return null;
  const due = lastActivityAt.getTime() + trigger.days * DAY_MS;
  if (now.getTime() < due) return null;
  return { occurrence: `inactive:${lastActivityAt.toISOString()}`, at: new Date(due) };
}

/** The last activity a customer must be quiet since to be due on `now`, for the store's query. */
export const inactiveSince = (trigger: { days: number }, now: Date): Date =>
  new Date(now.getTime() - trigger.days * DAY_MS);
