import { LocationId } from "@regulars/contracts";
import { z } from "zod";

/** A location's name and time zone; the zone is checked against the IANA database by the store (`setLocation`). */
export const SetLocationInput = z.object({
  id: LocationId,
  name: z.string().trim().min(1, "must not be empty").max(100, "use at most 100 characters").nullable(),
  /** IANA zone such as Europe/Warsaw; null: the location keeps the tenant's zone. */
  timezone: z.string().max(64, "is too long to be a time zone").nullable(),
});
export type SetLocationInput = z.infer<typeof SetLocationInput>;

/** A location as the admin app shows it. */
export interface LocationView {
  id: string;
  name: string | null;
  /** null: the tenant's zone. */
  timezone: string | null;
  updatedAt: string;
}

export interface LocationList {
  items: LocationView[];
}
