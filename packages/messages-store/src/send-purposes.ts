import { PROFILING_BY_CAUSE, requiredPurposes, segmentsUsingBehaviour, targetedSegmentIds } from "@regulars/campaigns";
import type { ConsentPurpose } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { z } from "zod";
import type { ClaimedMessage } from "./claim.ts";

// Every saved definition names both; one without them (a bare campaign row) picks nobody by behaviour. A domain_event
// trigger's conditions are read too: what they test decides whether it profiles.
const Targeting = z.object({
  audience: z.object({ kind: z.string(), segmentId: z.string().optional() }).default({ kind: "none" }),
  trigger: z
    .object({
      type: z.string(),
      segmentId: z.string().optional(),
      eventType: z.string().optional(),
      conditions: z.array(z.object({ field: z.string() })).optional(),
    })
    .default({ type: "none" }),
});

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
  const targetingOf = new Map(planned.map((r) => [r.id, Targeting.safeParse(r.definition ?? {})]));
  const segmentIds = [
    ...new Set([...targetingOf.values()].flatMap((t) => (t.success ? targetedSegmentIds(t.data) : []))),
  ];
  const segments = segmentIds.length
    ? await db.$queryRaw<SegmentRow[]>`
        SELECT id, tenant_id, kind, definition, updated_at FROM segments WHERE id = ANY(${segmentIds}::text[])`
    : [];
  const plannedAtOf = new Map(planned.map((r) => [r.id, r.planned_at]));
  const profilingByCauseOf = new Map(planned.map((r) => [r.id, r.profiling_by_cause]));
  for (const m of claimed) {
    const targeting = targetingOf.get(m.id);
    if (!targeting) continue;
    if (!targeting.success) {
      out.set(m.id, ["marketing", "profiling"]);
      continue;
    }
    const plannedAt = plannedAtOf.get(m.id)!.getTime();
    // Segments left out (another tenant's, or changed since) count as behavioural.
    const asPlanned = segments.filter((s) => s.tenant_id === m.tenantId && s.updated_at.getTime() <= plannedAt);
    out.set(
      m.id,
      requiredPurposes(targeting.data, segmentsUsingBehaviour(asPlanned), profilingByCauseOf.get(m.id) === true),
    );
  }
  return out;
}
