/**
 * Tenant-local calendar arithmetic on top of Intl (Node ships full ICU), so no tz library is needed.
 * Every function takes the instant and the IANA zone explicitly: the engine never reads the clock or
 * the server's zone. An unknown zone throws a RangeError (from Intl) rather than silently using UTC.
 */

export type Instant = string | Date;

export interface WallClock {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const DAY_MS = 86_400_000;

// Building a DateTimeFormat costs far more than using one; the engine runs per transaction.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function instantMs(at: Instant): number {
  const ms = typeof at === "string" ? Date.parse(at) : at.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not a valid instant: ${String(at)}`);
  return ms;
}

// "3/4/2025, 19:45:00": format() is ~3× cheaper than formatToParts(), which allocates per part.
const EN_US = /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})$/;

/** The local wall-clock reading of an instant in a zone. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const millisecond = ((ms % 1000) + 1000) % 1000;
  const f = formatter(timeZone);
  const m = EN_US.exec(f.format(ms));
  if (m !== null) {
    // Some ICU builds print midnight as 24 even with h23.
    return {
      year: Number(m[3]),
      month: Number(m[1]),
      day: Number(m[2]),
      hour: Number(m[4]) % 24,
      minute: Number(m[5]),
      second: Number(m[6]),
      millisecond,
    };
  }
  // Years outside 1000..9999 or a future ICU layout: the slower but layout-proof path.
  const w: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, millisecond };
  for (const p of f.formatToParts(ms)) {
    if (p.type === "year") w.year = Number(p.value);
    else if (p.type === "month") w.month = Number(p.value);
    else if (p.type === "day") w.day = Number(p.value);
    else if (p.type === "hour") w.hour = Number(p.value) % 24;
    else if (p.type === "minute") w.minute = Number(p.value);
    else if (p.type === "second") w.second = Number(p.value);
  }
  return w;
}

const wallAsUtc = (w: WallClock): number =>
  Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond);

/** Zone offset (local − UTC) in ms at an instant. */
function offsetAt(ms: number, timeZone: string): number {
  return wallAsUtc(wallClock(ms, timeZone)) - ms;
}

/**
 * The instant a wall-clock time happens in a zone, resolved like Temporal's "compatible" mode: a time
 * repeated when clocks go back takes its first occurrence; a time skipped when clocks go forward is
 * pushed forward by the gap (02:30 on a spring-forward night becomes 03:30). Expiry dates therefore
 * always exist and never land before the intended wall time.
 */
export function instantOfWallClock(w: WallClock, timeZone: string): number {
  const local = wallAsUtc(w);
  const before = offsetAt(local - DAY_MS, timeZone);
  const candidates = new Set([before, offsetAt(local, timeZone), offsetAt(local + DAY_MS, timeZone)]);
  let best: number | null = null;
  for (const offset of candidates) {
    const t = local - offset;
    if (offsetAt(t, timeZone) === offset && (best === null || t < best)) best = t;
  }
  return best ?? local - before;
}

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const dateOf = (w: Pick<WallClock, "year" | "month" | "day">) =>
  `${pad(w.year, 4)}-${pad(w.month, 2)}-${pad(w.day, 2)}`;

export const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
export const daysInMonth = (y: number, month: number): number => new Date(Date.UTC(y, month, 0)).getUTCDate();

/** "YYYY-MM-DD" of the instant in the zone. */
export function localDate(iso: Instant, timezone: string): string {
  return dateOf(wallClock(instantMs(iso), timezone));
}

/** ISO weekday of a local calendar date: 1 = Monday … 7 = Sunday. */
export function weekdayOfDate(w: Pick<WallClock, "year" | "month" | "day">): number {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

/** 1..7 Monday..Sunday of the instant in the zone (a Monday 23:30 UTC sale is a Tuesday in Warsaw). */
export function isoWeekday(iso: Instant, timezone: string): number {
  return weekdayOfDate(wallClock(instantMs(iso), timezone));
}

const DOB = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether a local calendar date is the birthday; Feb 29 birthdays fall on Feb 28 in common years. */
export function isBirthdayOn(dateOfBirth: string, today: Pick<WallClock, "year" | "month" | "day">): boolean {
  const m = DOB.exec(dateOfBirth);
  if (m === null) return false; // malformed data must not award a birthday bonus
  const month = Number(m[2]);
  let day = Number(m[3]);
  if (month === 2 && day === 29 && !isLeapYear(today.year)) day = 28;
  return today.month === month && today.day === day;
}

export function isBirthday(dateOfBirth: string, iso: Instant, timezone: string): boolean {
  return isBirthdayOn(dateOfBirth, wallClock(instantMs(iso), timezone));
}

/** Same local wall time N months later (negative goes back), clamped to the month's last day. */
export function addMonthsLocal(iso: Instant, months: number, timezone: string): Date {
  if (!Number.isInteger(months)) throw new RangeError(`months must be an integer, got ${months}`);
  const w = wallClock(instantMs(iso), timezone);
  const index = w.year * 12 + (w.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const day = Math.min(w.day, daysInMonth(year, month));
  return new Date(instantOfWallClock({ ...w, year, month, day }, timezone));
}

/** Local midnight starting the instant's day (or the first instant of the day if midnight is skipped). */
export function startOfLocalDay(iso: Instant, timezone: string): Date {
  const w = wallClock(instantMs(iso), timezone);
  return new Date(instantOfWallClock({ ...w, hour: 0, minute: 0, second: 0, millisecond: 0 }, timezone));
}

/** Local midnight of the following calendar day: a local day is 23, 24 or 25 hours long. */
export function startOfNextLocalDay(iso: Instant, timezone: string): Date {
  const w = wallClock(instantMs(iso), timezone);
  const next = new Date(Date.UTC(w.year, w.month - 1, w.day + 1));
  return new Date(
    instantOfWallClock(
      {
        year: next.getUTCFullYear(),
        month: next.getUTCMonth() + 1,
        day: next.getUTCDate(),
        hour: 0,
        minute: 0,
        second: 0,
        millisecond: 0,
      },
      timezone,
    ),
  );
}

/** Local midnight of January 1 of the given year. */
export function startOfLocalYear(year: number, timezone: string): Date {
  return new Date(
    instantOfWallClock({ year, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, timezone),
  );
}
