import { zoneOffsetMs } from "../../ui/zoned-time.ts";

/** "UTC+02:00", "UTC−05:00" (a true minus sign), "UTC±00:00" for the offset of `zone` at the instant `at`. */
export function utcOffset(zone: string, at: number): string {
  const minutes = Math.round(zoneOffsetMs(zone, at) / 60_000);
  const sign = minutes > 0 ? "+" : minutes < 0 ? "\u2212" : "±";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/**
 * The zones a location may take: the browser's IANA list, plus `current` where the browser does not list it (a zone
 * set through the API under an alias such as UTC or US/Eastern), so editing such a location keeps its zone.
 */
export function zoneChoices(current: string | null): string[] {
  const zones = Intl.supportedValuesOf("timeZone");
  return current && !zones.includes(current) ? [current, ...zones] : zones;
}
