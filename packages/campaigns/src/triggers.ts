import type { CampaignAudience, CampaignTrigger, DomainEvent } from "@regulars/contracts";
import { conditionsHold } from "./conditions.ts";
import { DAY_MS } from "./local-time.ts";

/** A trigger that fired for a customer: who, which occurrence (part of every step's key), and from when to act. */
export interface TriggerMatch {
  customerId: string;
  /**
   * Names the occurrence, stable across redeliveries of the same event. Occurrences that can happen only once
   * in a customer's life (`registered`, `first_purchase`, `profile_completed`) have a constant name, so even a
   * repeatable campaign, or a second event of the kind, cannot run them twice.
   */
  occurrence: string;
  at: Date;
}

/** What the worker knows beside the event, for triggers the event alone cannot decide. */
export interface TriggerFacts {
  /** The customer's sales so far, this one included (`first_purchase` fires at 1). */
  customerSales?: number | undefined;
}

interface Triggered {
  audience: CampaignAudience;
  trigger: CampaignTrigger;
}

const customerOf = (event: DomainEvent): string | null => ("customerId" in event ? event.customerId : null);

/**
 * Whether a domain event starts the campaign, and for whom. Birthdays and inactivity are not events: the
 * daily scan finds them (`birthdayOccurrence`, `inactivityOccurrence`); broadcasts run on their schedule.
 */
export function matchTrigger(campaign: Triggered, event: DomainEvent, facts: TriggerFacts = {}): TriggerMatch | null {
  const customerId = customerOf(event);
  if (customerId === null) return null;
  const at = new Date(event.occurredAt);
  const match = (occurrence: string, when: Date = at): TriggerMatch => ({ customerId, occurrence, at: when });
  const t = campaign.trigger;
  switch (t.type) {
    case "registered":
      // One occurrence whichever way the customer came, so one a till created who later signs up is welcomed once.
      return newCustomer(event, t.via ?? ["app"]) ? match("registered") : null;
    case "first_purchase":
      return event.type === "transaction.processed" && event.kind === "sale" && facts.customerSales === 1
        ? match("first_purchase")
        : null;
    case "profile_completed":
      return event.type === "event.recorded" && event.eventType === "profile_completed"
        ? match("profile_completed")
        : null;
    case "tier_reached":
      // A merge's survivor taking the merged customer's higher tier (`cause: "merge"`) reached nothing: the person
      // reached it before, under the merged customer, and was reached then (or the campaign was not running yet).
      return event.type === "tier.changed" &&
        event.direction === "up" &&
        event.cause !== "merge" &&
        (t.tierId ?? event.to) === event.to
        ? match(`tier:${event.to}:${event.id}`)
        : null;
    case "points_milestone":
      return event.type === "points.milestone" && (t.thresholds ?? [event.threshold]).includes(event.threshold)
        ? match(`milestone:${event.threshold}:${event.crossing}`)
        : null;
    case "tier_gap":
      // The ledger announces only to customers below the tier, once per crossing into the band.
      return event.type === "tier.gap" && event.tierId === t.tierId && event.within === t.within
        ? match(`tier_gap:${event.tierId}:${event.within}:${event.crossing}`)
        : null;
    case "points_expiring": {
      if (event.type !== "points.expiring" || event.points < (t.minPoints ?? 1)) return null;
      const expires = Date.parse(event.expiresAt);
      // A notice that arrives after the points expired has nothing left to warn about.
      if (!(expires > at.getTime())) return null;
      // Whole 24-hour days, as the programme's own notice counts them; delivery then picks the local hour.
      const wanted = expires - t.daysBefore * DAY_MS;
      return match(expiringOccurrence(event.expiresAt), new Date(Math.max(wanted, at.getTime())));
    }
    case "segment_entered":
      return event.type === "segment.entered" && event.segmentId === t.segmentId ? match(event.id) : null;
    case "domain_event":
      return event.type === t.eventType && conditionsHold(t.conditions, event) ? match(event.id) : null;
    case "always_on":
      return alwaysOnEntry(campaign.audience, event) ? match(event.id) : null;
    case "birthday":
    case "inactive":
    case "broadcast":
      return null;
  }
}

/**
 * Whether the event is a new customer from a source the `registered` trigger asks for. `app`: a sign-up, either a new
 * account (`customer.created`; events from before sales announced customers carry no cause, and were all sign-ups)
 * or a customer the tills knew becoming the app account (`customer.updated` with cause `registration`). `till`: a
 * customer a till's first sale or a phone enrolment created.
 */
function newCustomer(event: DomainEvent, via: readonly ("app" | "till")[]): boolean {
  if (event.type === "customer.created") {
    const fromTill = event.cause === "sale" || event.cause === "enrolment";
    return via.includes(fromTill ? "till" : "app");
  }
  return event.type === "customer.updated" && event.cause === "registration" && via.includes("app");
}

/**
 * An always-on campaign reaches whoever joins its audience: a segment's new member, or a new customer, registered
 * in the app or created by a till (a first sale or an enrolment) alike.
 */
function alwaysOnEntry(audience: CampaignAudience, event: DomainEvent): boolean {
  if (audience.kind === "segment") return event.type === "segment.entered" && event.segmentId === audience.segmentId;
  if (audience.kind === "all_members") return event.type === "customer.created";
  return false;
}

export const matchesTrigger = (campaign: Triggered, event: DomainEvent, facts: TriggerFacts = {}): boolean =>
  matchTrigger(campaign, event, facts) !== null;

/** The occurrence of an always-on campaign's first pass over the members its audience already has. */
export const alwaysOnStartOccurrence = (activatedAt: Date): string => `always_on:start:${activatedAt.toISOString()}`;

/** One saved version of a campaign's audience, and when it was saved. */
export interface SavedAudience {
  version: number;
  savedAt: Date;
  audience: CampaignAudience;
}

const sameAudience = (a: CampaignAudience, b: CampaignAudience): boolean =>
  a.kind === b.kind && (a.kind !== "segment" || (b.kind === "segment" && a.segmentId === b.segmentId));

/**
 * The start pass an always-on campaign owes the audience it has now: its members at `since`, enrolled as `occurrence`.
 * Members of an audience saved after the start joined it before its `segment.entered` could match, so that audience
 * gets a pass of its own, named by the version that set it (a return to an earlier audience is a change too: whoever
 * joined it meanwhile was missed). The audience the campaign started with keeps the name its pass always had, so a
 * pass finished before is not run again.
 */
export function alwaysOnStartPass(
  startedAt: Date,
  saved: readonly SavedAudience[],
): { occurrence: string; since: Date; audienceChanged: boolean } {
  const newestFirst = [...saved].sort((a, b) => b.version - a.version);
  let setBy = newestFirst[0];
  for (const v of newestFirst.slice(1)) {
    if (!setBy || !sameAudience(v.audience, setBy.audience)) break;
    setBy = v;
  }
  // The first version's audience is the one the campaign started with, however its start was dated.
  const first = newestFirst[newestFirst.length - 1];
  if (!setBy || setBy === first || setBy.savedAt.getTime() <= startedAt.getTime())
    return { occurrence: alwaysOnStartOccurrence(startedAt), since: startedAt, audienceChanged: false };
  return {
    occurrence: `${alwaysOnStartOccurrence(startedAt)}:v${setBy.version}`,
    since: setBy.savedAt,
    audienceChanged: true,
  };
}

const EXPIRING = "expiring:";

/** Why a points-expiring step run after its expiry stopped standing (a purchase since, the lots spent) did nothing. */
export const NO_LONGER_DUE = "no_longer_due";

/** The occurrence of a points.expiring notice: the expiry it announced, which the step checks again when it runs. */
export const expiringOccurrence = (expiresAt: string): string => `${EXPIRING}${expiresAt}`;

/**
 * The expiry a `points_expiring` occurrence announced; null for any other occurrence. Event-named occurrences can
 * start with `expiring:` too (a `domain_event` on `points.expiring` is named by the notice's id, which names the
 * customer), so only an ISO instant after the prefix counts.
 */
export function announcedExpiryOf(occurrence: string): Date | null {
  if (!occurrence.startsWith(EXPIRING)) return null;
  const rest = occurrence.slice(EXPIRING.length);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(rest)) return null;
  const at = Date.parse(rest);
  return Number.isFinite(at) ? new Date(at) : null;
}

/**
 * Whether a step of a points-expiring occurrence would warn of the expiry too late: it acts at or after the expiry
 * (the points are gone, or going as it runs) and it is a warning, not a follow-up. A warning is planned for at or
 * before the expiry, or placed by the trigger alone, with no wait at or before it (`waited`): a `daysBefore: 0`
 * reminder delivered at a local hour after the expiry instant. A step a wait placed after the expiry follows it up (a
 * win-back) and is not stale for it. `plannedAt` is the time planning gave the step, not one a pause moved it to:
 * a reminder held over the date stays a reminder.
 */
export function expiryWarningTooLate(step: { plannedAt: Date; waited: boolean }, expiresAt: Date, now: Date): boolean {
  if (now.getTime() < expiresAt.getTime()) return false;
  return step.plannedAt.getTime() <= expiresAt.getTime() || !step.waited;
}

/** The occurrence of one run of a broadcast: its planned instant, the same on every instance that runs it. */
export const broadcastOccurrence = (runAt: Date): string => `broadcast:${runAt.toISOString()}`;
