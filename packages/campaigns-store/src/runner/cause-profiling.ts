import {
  type CampaignTargeting,
  causeChoseByBehaviour,
  causingCampaignOf,
  PROFILING_BY_CAUSE,
} from "@regulars/campaigns";
import type { DomainEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { z } from "zod";
import { causingStepKey } from "./cause-depth.ts";
import { segmentsProfilingOf } from "./enrol.ts";

// Read loosely, as the sender reads targeting: only what decides profiling, whatever else a later release saved.
const Targeting = z.object({
  audience: z.object({ kind: z.string(), segmentId: z.string().optional() }),
  trigger: z.object({
    type: z.string(),
    segmentId: z.string().optional(),
    eventType: z.string().optional(),
    conditions: z.array(z.object({ field: z.string() })).optional(),
  }),
});

/** The enrolment whose doing the event is: named by a `campaign.enrolled`, else found through the step that acted. */
async function causingEnrolmentOf(db: Db, event: DomainEvent): Promise<string | null> {
  if (event.type === "campaign.enrolled") return event.enrolmentId;
  const key = await causingStepKey(db, event);
  if (key === null) return null;
  const [row] = await db.$queryRaw<{ enrolment_id: string }[]>`
    SELECT enrolment_id FROM campaign_steps WHERE key = ${key} AND tenant_id = ${event.tenantId}`;
  return row?.enrolment_id ?? null;
}

/**
 * Whether the campaign that caused the event (`causingCampaignOf`) chose the customer by behaviour, so a campaign the
 * event starts needs profiling consent too (`causeChoseByBehaviour`). Read from the causing enrolment: the version it
 * was planned under, and whether its own steps inherited profiling from further up the chain. The campaign's version in
 * force when that enrolment cannot be found (an event from before steps kept their keys); a campaign not found at all
 * (another tenant's) counts as choosing by behaviour. False for what no campaign caused.
 */
export async function causeChoseByBehaviourOf(db: Db, event: DomainEvent): Promise<boolean> {
  const campaignId = causingCampaignOf(event);
  if (campaignId === null) return false;
  const enrolmentId = await causingEnrolmentOf(db, event);
  const [row] = await db.$queryRaw<{ definition: unknown; inherited: boolean }[]>`
    SELECT coalesce(pv.definition, cv.definition) AS definition,
      EXISTS (SELECT 1 FROM campaign_steps s
               WHERE s.enrolment_id = e.id AND s.tenant_id = c.tenant_id
                 AND (s.action->>${PROFILING_BY_CAUSE})::boolean IS TRUE) AS inherited
    FROM campaigns c
    LEFT JOIN campaign_enrolments e ON e.id = ${enrolmentId} AND e.campaign_id = c.id
    LEFT JOIN campaign_versions pv ON pv.campaign_id = c.id AND pv.version = e.version
    LEFT JOIN campaign_versions cv ON cv.campaign_id = c.id AND cv.version = c.version
    WHERE c.id = ${campaignId} AND c.tenant_id = ${event.tenantId}`;
  if (!row) return causeChoseByBehaviour({ targeting: null, segmentUsesBehaviour: () => true, inherited: false });
  const parsed = Targeting.safeParse(row.definition);
  const targeting: CampaignTargeting | null = parsed.success ? parsed.data : null;
  const segmentUsesBehaviour = targeting ? await segmentsProfilingOf(db, event.tenantId, targeting) : () => true;
  return causeChoseByBehaviour({ targeting, segmentUsesBehaviour, inherited: row.inherited });
}
