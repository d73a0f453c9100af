import { addDays, DAY_MS, instantAt, type LocalDate, localDateOf } from "./local-time.ts";

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
 * The birthday a scan on `now` acts for: the customer's birthday `daysBefore` local days ahead. The occurrence
 * names the birthday's local year, not its date, so a repeatable campaign greets once a year and a scan run twice
 * a day (or by two instances) adds nothing; a customer who edits their date of birth between scans is not greeted
 * again that year. It fires at local midnight of the scan's day; delivery picks the hour.
 */
export function birthdayOccurrence(
  trigger: { daysBefore: number },
  dateOfBirth: string | null,
  now: Date,
  zone: string,
): ClockOccurrence | null {
  if (!dateOfBirth) return null;
  const today = localDateOf(now.getTime(), zone);
  const birthday = addDays(today, trigger.daysBefore);
  if (!isBirthdayOn(dateOfBirth, birthday)) return null;
  return { occurrence: `birthday:${birthday.year}`, at: new Date(instantAt(today, 0, zone)) };
}

/**
 * The dates of birth (month and day) a scan on `now` looks for, for the store's query: on 28 February of a
 * common year the 29 February birthdays come along.
 */
export function birthdaysDue(
  trigger: { daysBefore: number },
  now: Date,
  zone: string,
): { month: number; day: number }[] {
  const birthday = addDays(localDateOf(now.getTime(), zone), trigger.daysBefore);
  const due = [{ month: birthday.month, day: birthday.day }];
  if (birthday.month === 2 && birthday.day === 28 && !isLeap(birthday.year)) due.push({ month: 2, day: 29 });
  return due;
}

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
