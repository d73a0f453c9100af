/**
 * `<input type="datetime-local">` holds a wall-clock time without a zone ("2025-03-30T09:00"); the API takes
 * instants. The wall clock meant is the tenant's (its restaurants' time zone), never the browser's, so these
 * convert between the two in a named IANA zone with `Intl` alone.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The wall clock of `zone` at instant `ms`, read as if it were UTC: the same fields, as milliseconds. */
function wallClockMs(zone: string, ms: number): number {
  const parts = formatterFor(zone).formatToParts(new Date(ms));
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(field("year"), field("month") - 1, field("day"), field("hour"), field("minute"), field("second"));
}

/** How far `zone` is ahead of UTC at instant `ms`, in milliseconds (Warsaw in July: 2 hours). */
export function zoneOffsetMs(zone: string, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000; // the formatter shows whole seconds
  return wallClockMs(zone, whole) - whole;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const DAY = 86_400_000;

/**
 * An instant as `datetime-local` shows it in `zone`: "YYYY-MM-DDTHH:MM", with seconds (and milliseconds) where the
 * instant has them, so a form saved untouched sends back the very instant it read (23:59:59 stays 23:59:59); empty
 * for none.
 */
export function toZonedInput(iso: string | undefined, zone: string): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  const local = new Date(ms + zoneOffsetMs(zone, ms)).toISOString();
  if (local.endsWith(":00.000Z")) return local.slice(0, 16);
  return local.endsWith(".000Z") ? local.slice(0, 19) : local.slice(0, 23);
}

/**
 * The instant a `datetime-local` value names in `zone`, as ISO; undefined for an empty field. Around a
 * daylight-saving change it answers as Temporal's "compatible" choice does: a time that happens twice
 * (the clocks go back) is the first of the two; a time that never happens (the clocks go forward) is
 * moved on by the gap, so 02:30 on the spring-forward night in Warsaw is 03:30 summer time.
 */
export function fromZonedInput(local: string, zone: string): string | undefined {
  const m = LOCAL.exec(local.trim());
  if (!m) return local.trim() ? local : undefined; // sent as typed, for the server to name the field
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s); // whole seconds, as the zone's formatter shows the wall clock
  const millis = Number((m[7] ?? "").padEnd(3, "0"));
  // A zone changes its offset at most once within a day either side: the offsets before and after any
  // change near this time are the only candidates.
  const before = zoneOffsetMs(zone, wall - DAY);
  const after = zoneOffsetMs(zone, wall + DAY);
  const fits = [wall - before, wall - after].filter((t) => wallClockMs(zone, t) === wall);
  const instant = fits.length > 0 ? Math.min(...fits) : wall - before;
  return new Date(instant + millis).toISOString();
}
