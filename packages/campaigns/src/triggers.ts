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
      return event.type === "tier.changed" && event.direction === "up" && (t.tierId ?? event.to) === event.to
        ? match(`tier:${event.to}:${event.id}`)
        : null;
    case "points_milestone":
      return event.type === "points.milestone" && (t.thresholds ?? [event.threshold]).includes(event.threshold)
        ? match(`milestone:${event.threshold}:${event.crossing}`)
        : null;
    case "points_expiring": {
      if (event.type !== "points.expiring" || event.points < (t.minPoints ?? 1)) return null;
      const expires = Date.parse(event.expiresAt);
      // A notice that arrives after the points expired has nothing left to warn about.
      if (!(expires > at.getTime())) return null;
      // Whole 24-hour days, as the programme's own notice counts them; delivery then picks the local hour.
      const wanted = expires - t.daysBefore * DAY_MS;
      return match(`expiring:${event.expiresAt}`, new Date(Math.max(wanted, at.getTime())));
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

/** The occurrence of one run of a broadcast: its planned instant, the same on every instance that runs it. */
export const broadcastOccurrence = (runAt: Date): string => `broadcast:${runAt.toISOString()}`;
