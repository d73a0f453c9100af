import { instantOfWallClock, type WallClock, wallClock } from "@regulars/rules";

/**
 * Wall-clock arithmetic for delivery and schedules, on top of the rules engine's Intl helpers (one home
 * for local time). A wall time that does not exist (skipped when clocks go forward) or that repeats
 * resolves like Temporal's "compatible" mode: 02:30 on a spring-forward night is 03:30, a repeated 01:30
 * is its first occurrence.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** Minutes after local midnight of an `HH:MM` time. */
export function minutesOfDay(time: string): number {
  const [h, m] = time.split(":");
  return Number(h) * 60 + Number(m);
}

export const localClock = (ms: number, zone: string): WallClock => wallClock(ms, zone);

export const localDateOf = (ms: number, zone: string): LocalDate => {
  const w = wallClock(ms, zone);
  return { year: w.year, month: w.month, day: w.day };
};

/** The calendar date `days` after a local date (negative goes back). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The instant a local date reads `minutes` after midnight in the zone. */
export function instantAt(date: LocalDate, minutes: number, zone: string): number {
  return instantOfWallClock(
    { ...date, hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 },
    zone,
  );
}

/** The same wall time `days` local days later: 23, 24 or 25 hours per day across DST. */
export function addLocalDays(ms: number, days: number, zone: string): number {
  const w = wallClock(ms, zone);
  const date = addDays(w, days);
  return instantOfWallClock({ ...w, ...date }, zone);
}

/** ISO weekday 1 (Monday) … 7 (Sunday) of a calendar date. */
export function weekdayOf(date: LocalDate): number {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return d === 0 ? 7 : d;
}

export const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

export const isoDate = (d: LocalDate): string =>
  `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;

// Building a formatter costs ~0.1 ms: planning a 100,000-member broadcast asks about the same zone every time.
const knownZones = new Map<string, boolean>();

/** Whether an IANA zone is known to Intl. */
export function isKnownZone(zone: string): boolean {
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Zone names come from profiles too: a bounded memory, never a growing one.
    if (knownZones.size < 10_000) knownZones.set(zone, known);
  }
  return known;
}
