import type { CampaignTriggerType, ConsentChannel, ConsentPurpose, DomainEvent } from "@regulars/contracts";
import { savedSegmentUsesBehaviour } from "@regulars/segments";

/** One consent choice as the customers store keeps its history (or its state in force). */
export interface ConsentChoice {
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  granted: boolean;
  /** When the customer made the choice. */
  occurredAt: string | Date;
  /** When it was recorded: breaks ties between choices made at the same instant, as the store does. */
  recordedAt?: string | Date | undefined;
}

const ms = (t: string | Date | undefined): number => (t === undefined ? 0 : new Date(t).getTime());

/** When a choice ranks: when the customer made it, but never later than when it was recorded (a fast clock). */
const rankedAt = (c: ConsentChoice): number =>
  c.recordedAt === undefined ? ms(c.occurredAt) : Math.min(ms(c.occurredAt), ms(c.recordedAt));

/**
 * The choice in force for a channel and purpose: the latest by when the customer made it, taken no later than
 * when it was recorded, then by when it was recorded (the order of `consentInForceOrder` in the customers store). A
 * grant stamped minutes ahead by a fast clock therefore never outranks a withdrawal recorded after it, and a late
 * offline upload of an old choice never overrides a newer one.
 */
export function consentInForce(
  consents: readonly ConsentChoice[],
  channel: ConsentChannel,
  purpose: ConsentPurpose,
): ConsentChoice | null {
  let latest: ConsentChoice | null = null;
  for (const c of consents) {
    if (c.channel !== channel || c.purpose !== purpose) continue;
    const newer =
      latest === null ||
      rankedAt(c) > rankedAt(latest) ||
      (rankedAt(c) === rankedAt(latest) && ms(c.recordedAt) > ms(latest.recordedAt));
    if (newer) latest = c;
  }
  return latest;
}

/** A stretch without purchases: chosen by behaviour whatever else the campaign says. */
const behaviouralTriggers: ReadonlySet<string> = new Set<CampaignTriggerType>(["inactive"]);

/**
 * What a domain event's own fields tell of the customer, for a `domain_event` trigger's conditions on them, by the
 * lines `conditionUsesBehaviour` of `@regulars/segments` draws. `behaviour`: what they did (bought, where, how much,
 * in the app, the points and coupons a sale earned or spent, the messages they opened or clicked); conditions on it
 * choose by behaviour, as a `bought` or `event_count` segment does. `programme`: what the programme did or announced
 * and told them (a tier, a milestone, points expiring, a coupon given, a message sent) or facts they gave (their
 * profile, a consent): not an evaluation of them. `segments`: entering or leaving segments, which may read
 * behaviour, so the trigger chooses by it with or without conditions (`segment_entered` looks at its segment). A
 * record over every event type, so a new one does not compile until it is classified here.
 */
const eventReveals: Readonly<Record<DomainEvent["type"], "behaviour" | "programme" | "segments">> = {
  "transaction.processed": "behaviour",
  "event.recorded": "behaviour",
  "points.earned": "behaviour",
  "points.reversed": "behaviour",
  "points.redeemed": "behaviour",
  "coupon.redeemed": "behaviour",
  "message.opened": "behaviour",
  "message.clicked": "behaviour",
  "points.expiring": "programme",
  "points.expired": "programme",
  "points.milestone": "programme",
  "tier.gap": "programme",
  "tier.changed": "programme",
  "stamp_card.completed": "programme",
  "coupon.issued": "programme",
  "campaign.enrolled": "programme",
  "message.sent": "programme",
  "message.delivered": "programme",
  "message.failed": "programme",
  "customer.created": "programme",
  "customer.updated": "programme",
  "consent.changed": "programme",
  "customer.erased": "programme",
  "segment.entered": "segments",
  "segment.left": "segments",
};

/**
 * Fields that say only which kind of act it was, not what was in it: a thank-you after every sale but not after
 * refunds (`kind`) answers the act, as `first_purchase` does; "you got 50 bonus points" answers a movement of the
 * programme's own (`movementKind` bonus, `pending`, the campaign that gave it). An app event's `eventType` is not
 * among them: apps name their events freely (`viewed_vegan_menu`), so the name can say as much as the properties.
 */
const actKindFields: Partial<Record<DomainEvent["type"], ReadonlySet<string>>> = {
  "transaction.processed": new Set(["kind"]),
  "points.earned": new Set(["movementKind", "pending", "causedByCampaignId"]),
  "points.reversed": new Set(["movementKind"]),
};

/** What says whether a campaign profiles: its audience and trigger, as saved (read loosely by the sender). */
export interface CampaignTargeting {
  audience: { kind: string; segmentId?: string | undefined };
  trigger: {
    type: string;
    segmentId?: string | undefined;
    /** A `domain_event` trigger's event type and conditions; saved definitions without conditions have none. */
    eventType?: string | undefined;
    conditions?: readonly { field: string }[] | undefined;
  };
}

/**
 * Whether a `domain_event` trigger chooses whom it starts for by their behaviour: a condition on what an event of
 * their doing holds (`lines.0.tags` contains `vegan`, `total` at least 50), or an event of entering or leaving a
 * segment. One without conditions answers every act of its kind (a thank-you after every purchase) and does not. An
 * event type this release does not know (a definition saved by a later one) counts as behaviour.
 */
function eventTriggerProfiles(trigger: CampaignTargeting["trigger"]): boolean {
  if (trigger.type !== "domain_event") return false;
  const eventType = trigger.eventType as DomainEvent["type"] | undefined;
  const known = eventType !== undefined && Object.hasOwn(eventReveals, eventType);
  const reveals = known ? eventReveals[eventType] : "behaviour";
  if (reveals !== "behaviour") return reveals === "segments";
  const naming = known ? actKindFields[eventType] : undefined;
  return (trigger.conditions ?? []).some((c) => !naming?.has(c.field));
}

/**
 * Whether a segment the campaign names chooses its members from behaviour, as the segment's definition stood when
 * the campaign planned (`savedSegmentUsesBehaviour` of `@regulars/segments`: raw SQL and unknown segments do).
 */
export type SegmentUsesBehaviour = (segmentId: string) => boolean;

/** Without a look at the segments every segment counts as behavioural, as raw SQL does. */
const everySegmentProfiles: SegmentUsesBehaviour = () => true;

/** The segments a campaign's audience or trigger names, which `segmentUsesBehaviour` is asked about. */
export function targetedSegmentIds(definition: CampaignTargeting): string[] {
  const ids = [
    definition.audience.kind === "segment" ? definition.audience.segmentId : undefined,
    definition.trigger.type === "segment_entered" ? definition.trigger.segmentId : undefined,
  ];
  return [...new Set(ids.filter((id): id is string => typeof id === "string"))];
}

/**
 * The answer for saved segments (`segments` rows: id, kind, definition): a segment not among them (deleted, another
 * tenant's) counts as behavioural.
 */
export function segmentsUsingBehaviour(
  saved: readonly { id: string; kind: string; definition: unknown }[],
): SegmentUsesBehaviour {
  const answers = new Map(saved.map((s) => [s.id, savedSegmentUsesBehaviour(s)]));
  return (segmentId) => answers.get(segmentId) ?? true;
}

/**
 * Whether the campaign chooses whom it reaches from their purchases and behaviour: `profiling` in the contract's
 * words. An audience or a `segment_entered` trigger does when its segment's definition reads behaviour (orders,
 * spend, visits, locations, tags, events), not when it reads attributes alone (a tier, a consent, a missing date
 * of birth); an `inactive` trigger always does; a `domain_event` trigger does when its conditions read what the
 * customer did (`eventTriggerProfiles`). So does an enrolment started by another campaign's doing whose cause chose
 * by behaviour (`causeChoseByBehaviour`): a follow-up on its enrolment or coupon reaches exactly whom it chose.
 * Planning and the check before sending both ask here.
 */
export function choosesByBehaviour(
  definition: CampaignTargeting,
  segmentUsesBehaviour: SegmentUsesBehaviour = everySegmentProfiles,
  causeChoseByBehaviour = false,
): boolean {
  const bySegment = (segmentId: string | undefined) =>
    segmentId === undefined ? true : segmentUsesBehaviour(segmentId);
  const { audience, trigger } = definition;
  return (
    causeChoseByBehaviour ||
    (audience.kind === "segment" && bySegment(audience.segmentId)) ||
    (trigger.type === "segment_entered" && bySegment(trigger.segmentId)) ||
    behaviouralTriggers.has(trigger.type) ||
    eventTriggerProfiles(trigger)
  );
}

/**
 * The key under which a planned step (`campaign_steps.action`) keeps planning's answer that its enrolment's cause chose
 * the customer by behaviour; absent: no. The planner writes it, the sender reads it back at send time.
 */
export const PROFILING_BY_CAUSE = "profilingByCause";

/**
 * The purposes a message of the campaign needs granted on its channel: marketing, and profiling when it profiles.
 * `causeChoseByBehaviour`: the enrolment's cause did (planning's answer, kept on the steps as `profilingByCause`).
 */
export function requiredPurposes(
  definition: CampaignTargeting,
  segmentUsesBehaviour?: SegmentUsesBehaviour,
  causeChoseByBehaviour = false,
): ConsentPurpose[] {
  return choosesByBehaviour(definition, segmentUsesBehaviour, causeChoseByBehaviour)
    ? ["marketing", "profiling"]
    : ["marketing"];
}

/**
 * The campaign whose doing started an enrolment (`causingCampaignOf` the event: the one that enrolled the customer,
 * issued the coupon, gave the bonus, sent the message), as planning finds it.
 */
export interface CausingCampaign {
  /** Its audience and trigger as of the version that planned the customer; null when not found or unreadable. */
  targeting: CampaignTargeting | null;
  segmentUsesBehaviour: SegmentUsesBehaviour;
  /** Its own enrolment of the customer needed profiling because of a campaign before it in the chain. */
  inherited: boolean;
}

/**
 * Whether a follow-up inherits profiling from what started it. Judged by the event's causing campaign rather than by
 * a `campaignId` condition: a follow-up on every enrolment (no condition) or naming a list reaches the customers each
 * cause chose, and only the cause of this enrolment tells which. Null (a customer's own act) inherits nothing; a cause
 * that cannot be found or read counts as choosing by behaviour, erring on the customer's side as unknown segments do.
 */
export function causeChoseByBehaviour(cause: CausingCampaign | null): boolean {
  if (cause === null) return false;
  if (cause.inherited || cause.targeting === null) return true;
  return choosesByBehaviour(cause.targeting, cause.segmentUsesBehaviour);
}

/**
 * Why a message may not go out on the channel for lack of consent, or null when it may: `marketing` always, and each
 * other purpose asked, needs the customer's choice in force for that channel to be a grant. A pair never chosen
 * counts as refused, and consent to another channel or purpose never stands in for it.
 */
export function consentRefusal(
  channel: ConsentChannel,
  purposes: readonly ConsentPurpose[],
  consents: readonly ConsentChoice[],
): "no_consent" | "no_profiling_consent" | null {
  if (consentInForce(consents, channel, "marketing")?.granted !== true) return "no_consent";
  if (purposes.includes("profiling") && consentInForce(consents, channel, "profiling")?.granted !== true)
    return "no_profiling_consent";
  return null;
}

/** Whether a marketing message that does not profile may go out on the channel (`consentRefusal` for marketing). */
export function consentAllows(channel: ConsentChannel, consents: readonly ConsentChoice[]): boolean {
  return consentRefusal(channel, ["marketing"], consents) === null;
}

/**
 * The same answer from a customer snapshot's granted consents (`push:marketing`, as segments keep them):
 * the snapshot already holds only the latest choices that are grants.
 */
export function consentAllowsGranted(
  channel: ConsentChannel,
  granted: readonly string[],
  purposes: readonly ConsentPurpose[] = ["marketing"],
): boolean {
  return purposes.every((purpose) => granted.includes(`${channel}:${purpose}`));
}
