import { causeChoseByBehaviour, readTargeting } from "@regulars/campaigns";
import type { Db } from "@regulars/db";
import type { EventCause } from "./cause-depth.ts";
import { segmentsProfilingOf } from "./enrol.ts";

/**
 * Whether the campaign that caused the event chose the customer by behaviour, so a campaign the event starts needs
 * profiling consent too (`causeChoseByBehaviour`). Read from the causing enrolment (`causeOf`): the version it was
 * planned under, and whether its own steps inherited profiling from further up the chain. The campaign's version in
 * force when that enrolment cannot be found (an event from before steps kept their keys); a campaign not found at all
 * (another tenant's), or a definition that cannot be read (`readTargeting`), counts as choosing by behaviour. False for
 * what no campaign caused. Its segments are looked up only when its definition names some.
 */
export async function causeChoseByBehaviourOf(db: Db, tenantId: string, cause: EventCause | null): Promise<boolean> {
  if (cause === null) return false;
  const targeting = cause.campaignFound ? readTargeting(cause.definition) : null;
  const segmentUsesBehaviour = targeting ? await segmentsProfilingOf(db, tenantId, targeting) : () => true;
  return causeChoseByBehaviour({ targeting, segmentUsesBehaviour, inherited: cause.inherited });
}
