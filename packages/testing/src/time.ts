/**
 * Dates for tests. Nothing here is a fixed calendar date: a test that posted "2026-12-01" and expected
 * the programme configured "now" to be in force turned red on that very day. Either a date is relative
 * to now (`minutesAgo`), or it is a chosen calendar day in a year that is always ahead (`at`), for tests
 * about calendars (a Tuesday, New Year's Eve, a year of expiry); systems those tests post to accept
 * future dates explicitly (`futureDatesAccepted`).
 */

/** The first year that is always in the future: next year. */
export const baseYear = (): number => new Date().getUTCFullYear() + 1;

/** `at(1, "12-02T12:00:00+01:00")`: 2 December of the year after `baseYear()`, noon in Warsaw winter time. */
export function at(yearOffset: number, monthDayTime: string): string {
  if (!/^\d{2}-\d{2}(T.*)?$/.test(monthDayTime)) throw new Error(`expected MM-DDThh:mm:ss±hh:mm, got ${monthDayTime}`);
  return `${baseYear() + yearOffset}-${monthDayTime}`;
}

export const minutesAgo = (n: number): string => new Date(Date.now() - n * 60_000).toISOString();
export const daysAgo = (n: number): string => new Date(Date.now() - n * 86_400_000).toISOString();

/** `iso` moved by whole days (24 h), as UTC ISO text. */
export const addDays = (iso: string, days: number): string =>
  new Date(Date.parse(iso) + days * 86_400_000).toISOString();

/** Day of month (1-31) of the first `isoWeekday` (1 = Monday … 7 = Sunday) of a month, by the calendar. */
export function firstWeekdayOfMonth(year: number, month: number, isoWeekday: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay() || 7;
  return 1 + ((isoWeekday - first + 7) % 7);
}

/** Config for a test system whose tests post calendar-chosen (future) dates: accept up to 5 years ahead. */
export const futureDatesAccepted = { OCCURRED_AT_MAX_AHEAD_SECONDS: String(5 * 366 * 86_400) } as const;
