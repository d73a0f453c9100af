import type { StaffRole } from "./pages.ts";

/** The API roles a signed-in person can act with; the procedures' checks know only these. */
export type StaffApiRole = "admin" | "analyst";

/** The API role of each staff role, as the API maps a session to a credential: all but the analyst's are admin. */
export const apiRoleOf = (role: StaffRole): StaffApiRole => (role === "analyst" ? "analyst" : "admin");

const adminOnly: readonly StaffApiRole[] = ["admin"];
const readers: readonly StaffApiRole[] = ["admin", "analyst"];

/**
 * What the admin app offers, and which API roles the procedures behind it accept (`roleProcedure(...)` in
 * packages/procedures). Pages ask this one table instead of testing role names, so a control is shown exactly
 * to those whose call would not be refused. Staff-only narrowings (owners alone manage staff and keys) are the
 * pages' menu roles, on top of this.
 */
const grants = {
  /** `customers.search`, `customers.get`, `customers.profile`: analysts never read personal data. */
  readCustomers: adminOnly,
  /** `customers.adjust`, `setTierFloor`, `updateProfile`, `setConsents`, `privacy.*`. */
  changeCustomers: adminOnly,
  /** `programme.get`: tiers, rules and rewards. */
  readProgramme: adminOnly,
  /** `segments.list`, `get`, `members`, `preview`. */
  readSegments: readers,
  /** `segments.create`/`update` with SQL: analysts their own SQL segments only (see `mayChangeSegment`). */
  writeSqlSegments: readers,
  /** `segments.create`/`update` with a definition, and pausing or resuming a segment. */
  writeSegmentDefinitions: adminOnly,
  /** `segments.refresh`. */
  refreshSegments: adminOnly,
  /** `campaigns.list`, `get`, `results`, `templates.list`/`get`, `messages.list`. */
  readCampaigns: readers,
  /** `campaigns.create`/`update`/status moves, `templates.create`/`update`/`archive`/`preview`. */
  changeCampaigns: adminOnly,
  /** `coupons.*`: coupon campaigns, their codes and issuing them. */
  changeCoupons: adminOnly,
  /** `analytics.sql`, `analytics.dashboard.*`. */
  readAnalytics: readers,
} as const satisfies Record<string, readonly StaffApiRole[]>;

export type Action = keyof typeof grants;

/** Whether a person with this staff role may do `action`: what the API would accept from them. */
export function may(role: StaffRole | undefined, action: Action): boolean {
  return role !== undefined && grants[action].includes(apiRoleOf(role));
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
