/**
 * Money is kept in minor units (cents, grosze) everywhere; the tenant's currency and time zone decide
 * how it reads, and the chosen language decides the separators.
 */
export function formatMoney(minor: number | bigint | string, currency: string, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(fromMinor(Number(minor), currency));
}

/**
 * How many minor units make one of the currency: 100 for euro and złoty, 1 for yen (it has no minor unit), 1000 for
 * the Kuwaiti dinar. The same ISO 4217 table `formatMoney` reads, so an amount typed in a form and one shown on a
 * page agree; the locale does not change it.
 */
function minorPerMajor(currency: string): number {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  return 10 ** (digits ?? 2);
}

/** An amount as people type it (12.50 euro, 1000 yen) in minor units, rounded to a whole minor unit. */
export function toMinor(major: number, currency: string): number {
  return Math.round(major * minorPerMajor(currency));
}

/** Minor units as an amount people read and type: 1250 euro cents are 12.5, 1250 yen are 1250. */
export function fromMinor(minor: number, currency: string): number {
  return minor / minorPerMajor(currency);
}

export function formatNumber(value: number | bigint | string, locale: string): string {
  return new Intl.NumberFormat(locale).format(Number(value));
}

/** A share between 0 and 1. */
export function formatPercent(share: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(share);
}

export function formatDate(at: string | Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone }).format(new Date(at));
}

/**
 * A calendar day (`YYYY-MM-DD`: a birthday, a range's first day) as that day, wherever the tenant is. It names
 * no instant, so it is read and written at UTC midnight; `formatDate` would move it into the tenant's zone
 * and show the day before west of Greenwich.
 */
export function formatCalendarDate(day: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${day}T00:00:00Z`));
}

export function formatDateTime(at: string | Date, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(at));
}
