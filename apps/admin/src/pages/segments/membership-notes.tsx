import { useTranslation } from "react-i18next";
import { membershipOf, type SegmentMembershipFields, staleNoteOf } from "./membership.ts";

const noteText = "block text-xs text-amber-900";
const notice =
  "mb-3 flex flex-col gap-1 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950";

/** Under a list row's member count: that it is not the current definition's, when it is not. */
export function StaleCountNote({ segment }: { segment: SegmentMembershipFields }) {
  const { t } = useTranslation("segments");
  const note = staleNoteOf(membershipOf(segment));
  return note && <span className={noteText}>{t(`stale.${note}`)}</span>;
}

/** Under a list row's status: what pausing means for its members, when it is paused. */
export function PausedNote({ segment }: { segment: SegmentMembershipFields }) {
  const { t } = useTranslation("segments");
  return segment.status === "paused" && <span className={noteText}>{t("pausedHint")}</span>;
}

/**
 * On a segment's page, above its count and members: whether they are of an earlier definition and what a pause
 * means for them, in full. Nothing when the members are current and the segment active.
 */
export function MembershipNotice({ segment }: { segment: SegmentMembershipFields }) {
  const { t } = useTranslation("segments");
  const state = membershipOf(segment);
  const note = staleNoteOf(state);
  if (!note && !state.paused) return null;
  return (
    <div data-testid="membership-notice" className={notice}>
      {note && (
        <p>{t(`staleDetail.${note}`, { refreshed: segment.refreshedVersion ?? 0, version: segment.version })}</p>
      )}
      {state.paused && <p>{t("pausedDetail")}</p>}
    </div>
  );
}
