/**
 * Money is kept in minor units (cents, grosze) everywhere; the tenant's currency and time zone decide
 * how it reads, and the chosen language decides the separators.
 */
export function formatMoney(minor: number | bigint | string, currency: string, locale: string): string {
  const digits = new Intl.NumberFormat(locale, { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(Number(minor) / 10 ** (digits ?? 2));
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
