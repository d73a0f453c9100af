import type { DomainEvent } from "@regulars/contracts";

/**
 * The campaign whose act the event is: the one whose step gave the bonus or the coupon (`causedByCampaignId`), the one
 * a customer entered (`campaign.enrolled`), the one that sent the message (`message.*`). Null for anything else, and
 * for events published before bonuses and coupons named their campaign.
 */
export function causingCampaignOf(event: DomainEvent): string | null {
  switch (event.type) {
    case "points.earned":
    case "coupon.issued":
      return event.causedByCampaignId ?? null;
    case "campaign.enrolled":
    case "message.sent":
    case "message.delivered":
    case "message.failed":
    case "message.opened":
    case "message.clicked":
      return event.campaignId;
    default:
      return null;
  }
}

/**
 * How many campaigns a chain holds before what its last one causes starts no one. A customer's act (depth 0) starts
 * A, whose bonus (depth 1) starts B, whose bonus (depth 2) starts C, whose bonus (depth 3) is heard by none: enough
 * for "push when a coupon lands" after a welcome coupon, or a follow-up on another campaign's enrolment, and a bound on
 * campaigns that start each other in turns.
 */
export const MAX_CAUSE_DEPTH = 3;

/**
 * The depth of what a campaign causes when an event of `depth` started it: one more campaign in the chain. A customer's
 * act is depth 0, so a campaign it starts causes depth 1 (also the depth assumed for a campaign-caused event whose
 * chain is unknown: published before depths were kept, or naming no step).
 */
export const causeDepthAfter = (depth: number): number => depth + 1;

/**
 * Whether a campaign may be started by the event as far as its cause goes. Never by what its own steps or enrolments
 * caused (its bonus announced as points.earned would enrol it again, without end), whatever its conditions; by what
 * other campaigns caused while the chain is shorter than `MAX_CAUSE_DEPTH`, so campaigns starting each other stop
 * after a few rounds. `depth` is the event's (0 for one no campaign caused; the store's `causeDepthOf`).
 */
export function hearsCause(campaignId: string, event: DomainEvent, depth: number): boolean {
  const cause = causingCampaignOf(event);
  if (cause === null) return true;
  return cause !== campaignId && depth < MAX_CAUSE_DEPTH;
}
