import { type ApiAction, roleMay } from "@regulars/contracts/api-access";
import type { StaffRole } from "./pages.ts";

/** The API roles a signed-in person can act with; the procedures' checks know only these. */
export type StaffApiRole = "admin" | "analyst";

/** The API role of each staff role, as the API maps a session to a credential: all but the analyst's are admin. */
export const apiRoleOf = (role: StaffRole): StaffApiRole => (role === "analyst" ? "analyst" : "admin");

/**
 * What the admin app offers is `rolesAllowedTo`'s table (packages/contracts), which the procedures behind each action
 * check too. Pages ask `may()` instead of testing role names, so a control is shown exactly to those whose call would
 * not be refused. Staff-only narrowings (owners alone manage staff and keys) are the pages' menu roles, on top of this.
 */
export type { ApiAction as Action } from "@regulars/contracts/api-access";

/** Whether a person with this staff role may do `action`: what the API would accept from them. */
export function may(role: StaffRole | undefined, action: ApiAction): boolean {
  return role !== undefined && roleMay(apiRoleOf(role), action);
}

/** The credential id the API records as a segment's creator for a signed-in person (`createdBy`). */
export const staffKeyId = (staffId: string): string => `staff:${staffId}`;

/** Who is looking: the session's person. */
export interface Viewer {
  id: string;
  role: StaffRole;
}

/**
 * Whether `segments.update` would accept this person's change to this segment: admins any; analysts only SQL
 * segments they created themselves (an admin's SQL segment may feed live campaigns).
 */
export function mayChangeSegment(
  viewer: Viewer | undefined,
  segment: { kind: "definition" | "sql"; createdBy: string },
): boolean {
  if (!viewer) return false;
  if (may(viewer.role, "writeSegmentDefinitions")) return true;
  return may(viewer.role, "writeSqlSegments") && segment.kind === "sql" && segment.createdBy === staffKeyId(viewer.id);
}
