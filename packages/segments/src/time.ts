import type { SegmentWindow } from "@regulars/contracts";

const dayMs = 86_400_000;

/** How many days back a window reaches; null for lifetime. */
export function windowDays(window: SegmentWindow): number | null {
  if (typeof window === "object") return window.lastDays;
  if (window === "lifetime") return null;
  return Number(window.slice(0, -1));
}

/** The instant N days before `now`. */
export const daysBefore = (now: Date, days: number): Date => new Date(now.getTime() - days * dayMs);

/** `YYYY-MM-DD hh:mm:ss.SSS` in UTC: what `toDateTime64(…, 3, 'UTC')` reads the same under every setting. */
export const clickHouseTime = (instant: Date): string => instant.toISOString().replace("T", " ").replace("Z", "");

/** The calendar date in a time zone, as [year, month 1-12, day]. */
export function localDate(instant: Date, timezone: string): [number, number, number] {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return [part("year"), part("month"), part("day")];
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * Birthdays (month × 100 + day) that fall today or in the next `days` days, today being the date in the
 * tenant's time zone. A 29 February birthday is celebrated on 28 February in other years, so 229 joins the
 * list whenever 28 February of a non-leap year is in it.
 */
export function birthdaysWithin(now: Date, timezone: string, days: number): number[] {
  const [year, month, day] = localDate(now, timezone);
  const start = Date.UTC(year, month - 1, day);
  const keys = new Set<number>();
  for (let i = 0; i <= days; i++) {
    const date = new Date(start + i * dayMs);
    const key = (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
    keys.add(key);
    if (key === 228 && !isLeapYear(date.getUTCFullYear())) keys.add(229);
  }
  return [...keys].sort((a, b) => a - b);
}
