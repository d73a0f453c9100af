/** The ranges the dashboard offers, in days up to and including today. */
export const rangeChoices = [7, 30, 90, 365] as const;
export type RangeDays = (typeof rangeChoices)[number];

export const granularityChoices = ["day", "week", "month"] as const;
export type Granularity = (typeof granularityChoices)[number];

const dayMs = 86_400_000;

/** Today's calendar day in the zone, `YYYY-MM-DD` (en-CA writes dates that way). */
export function localToday(timezone: string, now = new Date()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(now);
}

/**
 * The last `days` calendar days of the tenant's zone, today included: the dashboard's procedures count
 * both ends in that zone, so "last 7 days" in Warsaw is the same week whatever the browser's clock says.
 */
export function lastDays(days: number, timezone: string, now = new Date()): { from: string; to: string } {
  const to = localToday(timezone, now);
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * dayMs).toISOString().slice(0, 10);
  return { from, to };
}
