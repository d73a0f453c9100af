import { causingCampaignOf, PROFILING_BY_CAUSE } from "@regulars/campaigns";
import type { DomainEvent } from "@regulars/contracts";
import { type Db, Prisma } from "@regulars/db";
import { bonusStepKeySql } from "@regulars/ledger-store";

/** Where a step keeps the depth of what it causes beside its action (`storedAction`); absent: 1. */
export const CAUSE_DEPTH = "causeDepth";

/** What the trigger worker needs of the campaign whose doing an event is, read once per event (`causeOf`). */
export interface EventCause {
  /** The depth the causing step kept (`causeDepth`, null when it kept none); null when no step was found. */
  stepDepth: number | null;
  /** The campaign exists in the event's tenant. */
  campaignFound: boolean;
  /** The definition of the version the causing enrolment was planned under, else the version in force. */
  definition: unknown;
  /** A step of the causing enrolment follows a cause that chose by behaviour (`profilingByCause`). */
  inherited: boolean;
}

/**
 * The key of the step behind a campaign-caused event, as SQL, found by what the step wrote under its key: the bonus's
 * ledger movement (`bonus:<step key>`, announced as `bonus:<movement>`; read by the ledger's `bonusStepKeySql`),
 * the coupon's wallet row (issue key = step key, announced as `coupon-issued:<wallet coupon>`), the message
 * (`step_key`). NULL for an enrolment (whose event names it) and an event naming none of those.
 */
function causingStepKeySql(event: DomainEvent): Prisma.Sql {
  const { tenantId } = event;
  switch (event.type) {
    case "points.earned": {
      const movement = /^bonus:(.+)$/.exec(event.id)?.[1];
      if (!movement) break;
      return bonusStepKeySql(tenantId, movement);
    }
    case "coupon.issued": {
      const coupon = /^coupon-issued:(.+)$/.exec(event.id)?.[1];
      if (!coupon) break;
      return Prisma.sql`(SELECT issue_key FROM wallet_coupons WHERE id = ${coupon} AND tenant_id = ${tenantId})`;
    }
    case "message.sent":
    case "message.delivered":
    case "message.failed":
    case "message.opened":
    case "message.clicked":
      return Prisma.sql`(SELECT step_key FROM messages WHERE id = ${event.messageId} AND tenant_id = ${tenantId})`;
  }
  return Prisma.sql`NULL::text`;
}

/**
 * The cause of an event some campaign's doing produced, in one statement: the causing step (its depth and enrolment)
 * and that enrolment's campaign version and marks. Both `causeDepthOf` and `causeChoseByBehaviourOf` read it, so the
 * trigger path looks the chain up once per event. Null, without a statement, for what no campaign caused.
 */
export async function causeOf(db: Db, event: DomainEvent): Promise<EventCause | null> {
  const campaignId = causingCampaignOf(event);
  if (campaignId === null) return null;
  const { tenantId } = event;
  const namedEnrolment = event.type === "campaign.enrolled" ? event.enrolmentId : null;
  const [row] = await db.$queryRaw<
    {
      step_found: boolean;
      step_depth: string | null;
      campaign_found: boolean;
      definition: unknown;
      inherited: boolean;
    }[]
  >`
    WITH step AS (
      SELECT true AS found, s.action->>${CAUSE_DEPTH} AS depth, s.enrolment_id FROM campaign_steps s
       WHERE s.key = ${causingStepKeySql(event)} AND s.tenant_id = ${tenantId})
    SELECT step.found IS TRUE AS step_found, step.depth AS step_depth, c.id IS NOT NULL AS campaign_found,
      coalesce(pv.definition, cv.definition) AS definition,
      EXISTS (SELECT 1 FROM campaign_steps s
               WHERE s.enrolment_id = e.id AND s.tenant_id = c.tenant_id
                 AND (s.action->>${PROFILING_BY_CAUSE})::boolean IS TRUE) AS inherited
    FROM (SELECT 1) one
    LEFT JOIN step ON true
    LEFT JOIN campaigns c ON c.id = ${campaignId} AND c.tenant_id = ${tenantId}
    LEFT JOIN campaign_enrolments e ON e.id = coalesce(${namedEnrolment}::text, step.enrolment_id) AND e.campaign_id = c.id
    LEFT JOIN campaign_versions pv ON pv.campaign_id = c.id AND pv.version = e.version
    LEFT JOIN campaign_versions cv ON cv.campaign_id = c.id AND cv.version = c.version`;
  return {
    stepDepth: row?.step_found ? Number(row.step_depth ?? 1) : null,
    campaignFound: row?.campaign_found ?? false,
    definition: row?.definition ?? null,
    inherited: row?.inherited ?? false,
  };
}

/**
 * How many campaigns the chain behind the event holds (`hearsCause`): 0 for what no campaign caused; for an enrolment,
 * what its event says; for a bonus, coupon or message, what the step that made it kept when it was planned. The
 * events of those name only their campaign, and keep their published shape: the step is looked up (`causeOf`), once
 * per event some campaign matched. 1 when nothing tells (a step planned before depths were kept, an event naming no
 * step).
 */
export function causeDepthOf(event: DomainEvent, cause: EventCause | null): number {
  if (cause === null) return 0;
  if (event.type === "campaign.enrolled") return event.causeDepth ?? 1;
  const depth = cause.stepDepth;
  return depth !== null && Number.isInteger(depth) && depth >= 1 ? depth : 1;
}
