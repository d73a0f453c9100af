/** Parts of the local day, by the hour of the transaction on the till's clock (its location's zone, else the tenant's). */
export const DAYPARTS = ["morning", "lunch", "afternoon", "evening", "night"] as const;
export type Daypart = (typeof DAYPARTS)[number];

const hourFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: constructing `Intl.DateTimeFormat` costs far more than formatting with it. */
function hourFormat(timeZone: string): Intl.DateTimeFormat {
  let format = hourFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" });
    hourFormats.set(timeZone, format);
  }
  return format;
}

/** The local hour (0-23) of an instant in an IANA time zone; throws a RangeError on an unknown zone. */
export function localHour(instant: Date, timeZone: string): number {
  const hour = hourFormat(timeZone)
    .formatToParts(instant)
    .find((p) => p.type === "hour");
  return Number(hour?.value) % 24;
}

/** morning [05:00, 11:00), lunch [11:00, 15:00), afternoon [15:00, 18:00), evening [18:00, 22:00), night otherwise. */
export function daypartOfHour(hour: number): Daypart {
  if (hour >= 5 && hour < 11) return "morning";
  if (hour >= 11 && hour < 15) return "lunch";
  if (hour >= 15 && hour < 18) return "afternoon";
  if (hour >= 18 && hour < 22) return "evening";
  return "night";
}

export const daypartOf = (instant: Date, timeZone: string): Daypart => daypartOfHour(localHour(instant, timeZone));
