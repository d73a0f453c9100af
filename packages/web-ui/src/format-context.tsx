import { createContext, type ReactNode, useContext, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { formatCalendarDate, formatDate, formatDateTime, formatMoney, formatNumber, formatPercent } from "./format.ts";

interface TenantFormat {
  currency: string;
  timezone: string;
}

const FormatContext = createContext<TenantFormat>({ currency: "EUR", timezone: "UTC" });

/** The tenant's currency and time zone for everything below; the language comes from i18n. */
export function FormatProvider({ tenant, children }: { tenant: TenantFormat; children: ReactNode }) {
  return <FormatContext.Provider value={tenant}>{children}</FormatContext.Provider>;
}

/** Formatters bound to the tenant's currency and zone and the chosen language. */
export function useFormat() {
  const tenant = useContext(FormatContext);
  const { i18n } = useTranslation();
  const locale = i18n.language === "pl" ? "pl-PL" : "en-GB";
  return useMemo(
    () => ({
      locale,
      currency: tenant.currency,
      timezone: tenant.timezone,
      money: (minor: number | bigint | string) => formatMoney(minor, tenant.currency, locale),
      number: (value: number | bigint | string) => formatNumber(value, locale),
      percent: (share: number) => formatPercent(share, locale),
      /** An instant's day in the tenant's zone. */
      date: (at: string | Date) => formatDate(at, tenant.timezone, locale),
      /** A calendar day (`YYYY-MM-DD`), the same day in every zone. */
      calendarDate: (day: string) => formatCalendarDate(day, locale),
      dateTime: (at: string | Date) => formatDateTime(at, tenant.timezone, locale),
    }),
    [locale, tenant.currency, tenant.timezone],
  );
}
