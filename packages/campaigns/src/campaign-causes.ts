import { type CampaignAction, type CampaignTrigger, campaignEventTypes, type DomainEvent } from "@regulars/contracts";
import { conditionsHold } from "./conditions.ts";

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
 * Whether a trigger hears what other campaigns caused: a `domain_event` whose admin opted in (`campaignCaused`), or
 * one on an event only campaigns make (`campaign.enrolled`, `message.*`), which would hear nothing otherwise.
 */
export const hearsCampaignCaused = (trigger: CampaignTrigger): boolean =>
  trigger.type === "domain_event" && (trigger.campaignCaused === true || campaignEventTypes.has(trigger.eventType));

/**
 * Whether the campaign may be started by the event as far as its cause goes. Never by what its own steps caused (its
 * bonus announced as points.earned would enrol it again, without end). What another campaign caused, only when it
 * hears campaign-caused events and the causing campaign does not: so a chain of campaigns is one hop long (a customer's
 * act starts A, A's bonus starts B, and B's bonus starts no one), and two campaigns cannot start each other in turns.
 * `triggerOf` gives the causing campaign's trigger when it is active; one that is not runs no step, so what it caused
 * earlier (a message opened late) is heard as from a campaign that does not listen.
 */
export function hearsCause(
  campaign: { id: string; trigger: CampaignTrigger },
  event: DomainEvent,
  triggerOf: (campaignId: string) => CampaignTrigger | undefined,
): boolean {
  const cause = causingCampaignOf(event);
  if (cause === null) return true;
  if (cause === campaign.id || !hearsCampaignCaused(campaign.trigger)) return false;
  const causer = triggerOf(cause);
  return causer === undefined || !hearsCampaignCaused(causer);
}

/** The events a step announces, with the fields known when the campaign is saved. */
function announcedBy(action: CampaignAction): { types: string[]; fields: Record<string, unknown> } {
  switch (action.type) {
    case "award_points":
      return {
        types: ["points.earned"],
        fields: { movementKind: "bonus", points: action.points, transactionId: null, pending: false },
      };
    case "issue_coupon":
      return { types: ["coupon.issued"], fields: { campaignId: action.couponCampaignId, source: "campaign" } };
    case "send_message":
      return {
        types: ["message.sent", "message.delivered", "message.failed", "message.opened", "message.clicked"],
        fields: { channel: action.channel },
      };
  }
}

/**
 * The event type a `domain_event` campaign listens to that its own actions announce, unless its conditions rule its
 * own out (`movementKind ne bonus`): null when there is none. Such a campaign is refused when saved, as it would
 * expect to hear its own bonus or coupon and never does. Conditions on fields unknown until the event exists (a
 * balance) may hold, so they rule nothing out.
 */
export function ownAnnouncementHeard(definition: {
  trigger: CampaignTrigger;
  actions: readonly CampaignAction[];
}): string | null {
  const { trigger } = definition;
  if (trigger.type !== "domain_event") return null;
  for (const action of definition.actions) {
    const own = announcedBy(action);
    if (!own.types.includes(trigger.eventType)) continue;
    const decidable = trigger.conditions.filter((c) => Object.hasOwn(own.fields, c.field));
    if (conditionsHold(decidable, own.fields)) return trigger.eventType;
  }
  return null;
}
