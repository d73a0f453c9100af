import { LocationId } from "@regulars/contracts";
import { z } from "zod";

/** A location's name and time zone; the zone is checked against the IANA database by the store (`setLocation`). */
export const SetLocationInput = z.strictObject({
  id: LocationId,
  name: z.string().trim().min(1, "must not be empty").max(100, "use at most 100 characters").nullable(),
  /** IANA zone such as Europe/Warsaw; null: the location keeps the tenant's zone. */
  timezone: z.string().max(64, "is too long to be a time zone").nullable(),
});
export type SetLocationInput = z.infer<typeof SetLocationInput>;

/** A location's settings as an admin saved them (`locations.set`). */
export interface ConfiguredLocationView {
  id: string;
  name: string | null;
  /** null: the tenant's zone. */
  timezone: string | null;
  updatedAt: string;
}

/** A location as the admin app lists it: configured, seen in the tills' sales, or both. */
export interface LocationView {
  id: string;
  name: string | null;
  /** The location's own zone; null: the tenant's. */
  timezone: string | null;
  /** The zone its tills follow: its own, else the tenant's. */
  zoneInForce: string;
  /** Whether an admin saved settings for it; a location only seen at tills has none. */
  configured: boolean;
  /** When its settings last changed; null when not configured. */
  updatedAt: string | null;
  /** Sales posted with it in the last `seenDays` days; 0 when none (or when sales could not be read). */
  sales: number;
  /** ISO 8601 of its latest sale in those days; null when none. */
  lastSaleAt: string | null;
}

export interface LocationList {
  items: LocationView[];
  /** How many days back sales were counted. */
  seenDays: number;
  /** True when ClickHouse could not be read: the items are the configured locations only, without sales. */
  seenUnavailable: boolean;
}
