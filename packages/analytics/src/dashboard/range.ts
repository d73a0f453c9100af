/**
 * The dashboard's ranges and periods. A range is two calendar days in the tenant's time zone, both included:
 * "1-31 May" in Warsaw starts at 1 May 00:00 Warsaw time (30 April 22:00 UTC) and ends before 1 June 00:00
 * there. Periods are calendar days, ISO weeks (Monday first) or months of that zone, named by their first
 * day; the first and last period only count what falls inside the range.
 */
export const granularities = ["day", "week", "month"] as const;
export type Granularity = (typeof granularities)[number];

export interface DashboardRange {
  tenantId: string;
  /** IANA time zone the days are counted in: the tenant's. */
  timezone: string;
  /** First day, `YYYY-MM-DD`, included. */
  from: string;
  /** Last day, `YYYY-MM-DD`, included. */
  to: string;
}

export interface SeriesRange extends DashboardRange {
  granularity: Granularity;
}

/** Periods one series may have: a chart's worth, and a bound on the work one request asks for. */
export const maxPeriods = 400;

const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const dayMs = 86_400_000;

/** Days since 1970-01-01 of a `YYYY-MM-DD` that names a real day in 1970-2100, or NaN. */
export function dayNumber(date: string): number {
  const match = isoDate.exec(date);
  if (!match) return Number.NaN;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  const real = d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  return real && year >= 1970 && year <= 2100 ? ms / dayMs : Number.NaN;
}

const dateOf = (days: number) => new Date(days * dayMs).toISOString().slice(0, 10);

function periodStart(days: number, granularity: Granularity): number {
  if (granularity === "day") return days;
  if (granularity === "week") return days - ((new Date(days * dayMs).getUTCDay() + 6) % 7);
  const d = new Date(days * dayMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / dayMs;
}

function nextPeriod(start: number, granularity: Granularity): number {
  if (granularity === "day") return start + 1;
  if (granularity === "week") return start + 7;
  const d = new Date(start * dayMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) / dayMs;
}

export interface RangeProblem {
  field: "from" | "to" | "granularity";
  message: string;
}

/** Why a range cannot be served, or null. The procedures' input schema tells callers the same. */
export function rangeProblem(range: { from: string; to: string; granularity?: Granularity }): RangeProblem | null {
  const from = dayNumber(range.from);
  const to = dayNumber(range.to);
  const day = "must be a calendar day YYYY-MM-DD between 1970 and 2100";
  if (Number.isNaN(from)) return { field: "from", message: day };
  if (Number.isNaN(to)) return { field: "to", message: day };
  if (to < from) return { field: "to", message: "must not be before from" };
  const granularity = range.granularity;
  if (!granularity) return null;
  let count = 0;
  for (let p = periodStart(from, granularity); p <= to; p = nextPeriod(p, granularity)) {
    if (++count > maxPeriods) {
      const message = `the range has more than ${maxPeriods} ${granularity}s; choose a coarser granularity`;
      return { field: "granularity", message };
    }
  }
  return null;
}

export function assertRange(range: { from: string; to: string; granularity?: Granularity }): void {
  const problem = rangeProblem(range);
  if (problem)
    throw new Error(`Invalid dashboard range ${range.from}..${range.to}: ${problem.field} ${problem.message}`);
}

/** The first day of every period that meets the range, in order: the series' x axis, gaps included. */
export function periodStarts(from: string, to: string, granularity: Granularity): string[] {
  assertRange({ from, to, granularity });
  const last = dayNumber(to);
  const starts: string[] = [];
  for (let p = periodStart(dayNumber(from), granularity); p <= last; p = nextPeriod(p, granularity)) {
    starts.push(dateOf(p));
  }
  return starts;
}

/**
 * The period an event falls in, as SQL over `occurred_at`: chosen from this fixed table by granularity,
 * never built from input. Each gives a Date (the period's first day) in the zone bound as `{tz:String}`.
 */
export const periodOfEvent: Record<Granularity, string> = {
  day: "toDate(occurred_at, {tz:String})",
  week: "toMonday(occurred_at, {tz:String})",
  month: "toStartOfMonth(occurred_at, {tz:String})",
};

/**
 * The range as a condition on `occurred_at`: from the first day's local midnight to the one after the last day, in
 * the zone bound as the query parameter `zoneParam` (a fixed name chosen by the caller, never input).
 */
export const occurredInRangeIn = (zoneParam: string) =>
  `occurred_at >= toDateTime64({from:Date}, 3, {${zoneParam}:String}) ` +
  `AND occurred_at < toDateTime64(addDays({to:Date}, 1), 3, {${zoneParam}:String})`;

/** The range as a condition on `occurred_at`, in the range's zone (`{tz:String}`). */
export const occurredInRange = occurredInRangeIn("tz");

/**
 * The zone as ClickHouse spells it. Intl takes a zone in any case, ClickHouse only in the tz database's ("utc" fails
 * every query), and tenants' zones were once stored as typed: Intl's name for them (one of ICU's, older at times:
 * "Asia/Calcutta" for "Asia/Kolkata", each a link ClickHouse loads) is bound instead. A zone Intl refuses is bound
 * as it is, for ClickHouse to refuse.
 */
export function clickHouseZone(timezone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return timezone;
  }
}

/** The query parameters every dashboard query binds. */
export const rangeParams = (range: DashboardRange) => ({
  tenant: range.tenantId,
  tz: clickHouseZone(range.timezone),
  from: range.from,
  to: range.to,
});
