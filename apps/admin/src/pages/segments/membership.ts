/** What of a saved segment (as `segments.list` and `segments.get` answer it) says how current its members are. */
export interface SegmentMembershipFields {
  status: "active" | "paused";
  version: number;
  refreshedVersion: number | null;
}

/**
 * What the stored members are, beside what the segment says now. Earning rules pay a segment's members only while it
 * is active and they were materialised from its current definition; campaigns reach the stored members either way.
 */
export interface MembershipState {
  /** Paused: the members are kept as they are and not refreshed, and earning rules pay none of them. */
  paused: boolean;
  /**
   * Whose members the count is: the current definition's, an earlier one's (an edit while paused, or a refresh after
   * an edit that has not run or failed), or nobody's yet (never refreshed).
   */
  members: "current" | "earlier" | "none";
}

export function membershipOf(segment: SegmentMembershipFields): MembershipState {
  const members =
    segment.refreshedVersion === null ? "none" : segment.refreshedVersion === segment.version ? "current" : "earlier";
  return { paused: segment.status === "paused", members };
}

/** The key (under `stale` or `staleDetail`) of the note on members not of the current definition. */
export type StaleNote = "earlier" | "earlierPaused" | "none" | "nonePaused";

/**
 * Which note the count needs. A paused segment's refresh is not pending (nothing refreshes it until it is resumed or
 * refreshed by hand), so its notes say so instead.
 */
export function staleNoteOf(state: MembershipState): StaleNote | null {
  if (state.members === "current") return null;
  return state.paused ? `${state.members}Paused` : state.members;
}

/** Whether a refresh by hand would bring anything up to date: members of an older definition, or frozen by a pause. */
export const worthRefreshing = (state: MembershipState): boolean => state.paused || state.members !== "current";
