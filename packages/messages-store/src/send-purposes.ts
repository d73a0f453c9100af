import {
  type CampaignTargeting,
  PROFILING_BY_CAUSE,
  readTargeting,
  requiredPurposes,
  segmentsUsingBehaviour,
  targetedSegmentIds,
} from "@regulars/campaigns";
import type { ConsentPurpose } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { ClaimedMessage } from "./claim.ts";

/**
 * The targeting a message's campaign version chose by (`readTargeting`, shared with the planner), an audience or
 * trigger it does not name taken as none. Planning reads definitions strictly and plans none without both, so a
 * version naming neither is a bare campaign row messages were hung on (or no version at all): it chose nobody, by
 * behaviour or otherwise. What it names but cannot be read stays unreadable and asks for both purposes.
 */
function targetingPlannedBy(definition: unknown): CampaignTargeting | null {
  const named = definition ?? {};
  if (typeof named !== "object" || Array.isArray(named)) return null;
  return readTargeting({ audience: { kind: "none" }, trigger: { type: "none" }, ...named });
}

interface PlannedRow {
  id: string;
  definition: unknown;
  planned_at: Date;
  profiling_by_cause: boolean;
}

interface SegmentRow {
  id: string;
  tenant_id: string;
  kind: string;
  definition: unknown;
  updated_at: Date;
}

/**
 * The purposes each claimed campaign message needs granted (`requiredPurposes`), asked again at send time (the
 * customer may have refused profiling since planning) with what planning decided by: the audience and trigger of
 * the campaign version its enrolment was planned under (the version in force for a message without one), and each
 * named segment's definition as it stood then. Only the latest definition of a segment is kept, so one changed
 * since the message was planned (its row's `updated_at`) counts as behavioural: the one planning read is unknown,
 * and asking for profiling consent it did not need errs on the customer's side. A step planning marked as following
 * up a campaign that chose by behaviour (`profilingByCause`) asks for profiling whatever its own definition says. A
 * definition whose audience or trigger cannot be read asks for both. Messages without a campaign are not in the map.
 */
export async function consentPurposesOf(
  db: Db,
  claimed: readonly Pick<ClaimedMessage, "id" | "tenantId" | "campaignId" | "transactional">[],
): Promise<Map<string, ConsentPurpose[]>> {
  const out = new Map<string, ConsentPurpose[]>();
  const ids = claimed.filter((m) => m.campaignId && !m.transactional).map((m) => m.id);
  if (!ids.length) return out;
  const planned = await db.$queryRaw<PlannedRow[]>`
    SELECT m.id, coalesce(pv.definition, cv.definition) AS definition,
      coalesce(st.created_at, m.created_at) AS planned_at,
      coalesce(st.action->>${PROFILING_BY_CAUSE} = 'true', false) AS profiling_by_cause
    FROM messages m
    LEFT JOIN campaign_steps st ON st.key = m.step_key
    LEFT JOIN campaign_enrolments e ON e.id = st.enrolment_id
    LEFT JOIN campaign_versions pv ON pv.campaign_id = e.campaign_id AND pv.version = e.version
    LEFT JOIN campaigns c ON c.id = m.campaign_id
    LEFT JOIN campaign_versions cv ON cv.campaign_id = c.id AND cv.version = c.version
    WHERE m.id = ANY(${ids}::text[])`;
  const targetingOf = new Map(planned.map((r) => [r.id, targetingPlannedBy(r.definition)]));
  const segmentIds = [...new Set([...targetingOf.values()].flatMap((t) => (t ? targetedSegmentIds(t) : [])))];
  const segments = segmentIds.length
    ? await db.$queryRaw<SegmentRow[]>`
        SELECT id, tenant_id, kind, definition, updated_at FROM segments WHERE id = ANY(${segmentIds}::text[])`
    : [];
  const plannedAtOf = new Map(planned.map((r) => [r.id, r.planned_at]));
  const profilingByCauseOf = new Map(planned.map((r) => [r.id, r.profiling_by_cause]));
  for (const m of claimed) {
    if (!targetingOf.has(m.id)) continue;
    const targeting = targetingOf.get(m.id);
    if (!targeting) {
      out.set(m.id, ["marketing", "profiling"]);
      continue;
    }
    const plannedAt = plannedAtOf.get(m.id)!.getTime();
    // Segments left out (another tenant's, or changed since) count as behavioural.
    const asPlanned = segments.filter((s) => s.tenant_id === m.tenantId && s.updated_at.getTime() <= plannedAt);
    out.set(
      m.id,
      requiredPurposes(targeting, segmentsUsingBehaviour(asPlanned), profilingByCauseOf.get(m.id) === true),
    );
  }
  return out;
}
