import { Timestamp } from "@regulars/contracts";
import { instantOfWallClock, wallClock } from "@regulars/rules";

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** What `effectiveFromIn` accepts, for messages that tell the user what to type instead. */
export const EFFECTIVE_FROM_FORMS =
  "a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM) in the tenant's time zone, " +
  "or an ISO timestamp with an offset (YYYY-MM-DDTHH:MM:SS+01:00)";

/**
 * The instant a typed "takes effect" names: a timestamp with an offset as it says, a bare date (midnight
 * starting it) or date and time as the wall clock of the tenant's zone, never the server's. A New Year's
 * programme typed as 2027-01-01 for a New York tenant starts at midnight in New York. Null for anything else,
 * including days that do not exist (2027-02-30).
 */
export function effectiveFromIn(text: string, timezone: string): Date | null {
  const typed = text.trim();
  if (Timestamp.safeParse(typed).success) return new Date(typed);
  const m = LOCAL.exec(typed);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = { year, month, day, hour, minute, second, millisecond: 0 };
  const asUtc = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const real =
    asUtc.getUTCFullYear() === year &&
    asUtc.getUTCMonth() === month - 1 &&
    asUtc.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60;
  return real ? new Date(instantOfWallClock(wall, timezone)) : null;
}

/** "2027-01-01 00:00 America/New_York": an instant as the tenant's wall clock reads it. */
export function tenantLocalTime(at: Date, timezone: string): string {
  const w = wallClock(at.getTime(), timezone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${timezone}`;
}
