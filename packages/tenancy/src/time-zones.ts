import type { RawTx } from "@regulars/db";

/** The zone Intl resolves `tz` to ("utc" → "UTC", "Asia/Kolkata" → "Asia/Calcutta"), or null when it knows none. */
function intlTimeZone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Whether `tz` is an IANA time zone this runtime knows (Intl refuses any other), in any case. */
export const validTimeZone = (tz: string): boolean => intlTimeZone(tz) !== null;

/**
 * The name to store for a zone as typed, or null when Intl knows no such zone. Intl takes a zone in any case, but
 * ClickHouse (the dashboard's days) loads only the name as the tz database spells it: "utc" or "europe/warsaw" there
 * fails every query. Intl's own spelling would also swap a link for ICU's older name ("Asia/Calcutta" for
 * "Asia/Kolkata") and show the admin a zone they did not choose, so a link keeps its name, spelled as Postgres' list
 * of the tz database spells it; a zone that list lacks takes Intl's name, which ClickHouse loads too.
 */
export async function storedTimeZone(db: RawTx, tz: string): Promise<string | null> {
  const resolved = intlTimeZone(tz);
  if (resolved === null || resolved.toLowerCase() === tz.toLowerCase()) return resolved;
  // Postgres reads the list from disk on every query (~0.1 s): a name Intl already spells right needs no look-up.
  const [listed] = await db.$queryRaw<{ name: string }[]>`
    SELECT name FROM pg_timezone_names WHERE lower(name) = lower(${tz}) ORDER BY name LIMIT 1`;
  return listed?.name ?? resolved;
}
