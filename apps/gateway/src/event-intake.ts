import type { Bus, CoalescingPublisher } from "@regulars/bus";
import { type BehaviouralEventInput, EventMessage, eventFingerprint } from "@regulars/contracts";
import { DomainError } from "@regulars/errors";
import { firstIssue, jsonOrUndefined, publishOrUnavailable, storedSequence } from "./intake.ts";
import type { RecordedEvent } from "./recorded-events.ts";

/** What Postgres recorded of each of a tenant's events, in their order (`RecordedLookups` over `recordedEventsAll`). */
export type RecordedEvents = (
  tenantId: string,
  events: BehaviouralEventInput[],
) => Promise<(RecordedEvent | undefined)[]>;

/**
 * Stores a posted event, or answers it as a repeat of one stored before; `refusal` is what the checks against the
 * gateway's clock said of it (its `occurredAt` outside the window), thrown only when it is no repeat. Returns whether
 * it was a duplicate. Every event is first looked up in Postgres (`recordedBefore`, one statement per event-loop turn
 * shared with concurrent requests): JetStream's message id dedupe lasts its duplicate window only (an hour by
 * default), after which a retry would be stored again (and dropped by the resolver) and a changed body answered
 * `accepted` (then refused by the resolver, seen only as a count on the event's status). What the resolver decided
 * answers (the same body a duplicate, another 409); what it has not decided yet, JetStream answers, as before: the
 * publish within its window, or for a refused event `eventStoredBefore`. `asPosted` is the body before the gateway
 * filled in the key's channel: an event stored before the gateway filled it in was stored so, and its retry is a
 * duplicate all the same, not a conflict.
 */
export async function admitEvent(
  bus: Bus,
  publisher: CoalescingPublisher,
  message: EventMessage,
  refusal: DomainError | null,
  recordedBefore?: RecordedEvents,
  asPosted: BehaviouralEventInput = message.event,
): Promise<{ duplicate: boolean }> {
  const bodies = asPosted === message.event ? [message.event] : [message.event, asPosted];
  const recorded = await recordedOrNothing(recordedBefore, message.tenantId, bodies, refusal !== null);
  if (recorded === "match") return { duplicate: true };
  if (recorded === "other") throw changedEvent(message.event.eventId);
  if (!refusal) return storeEvent(bus, publisher, message, bodies);
  if (await eventStoredBefore(bus, message, bodies)) return { duplicate: true };
  throw refusal;
}

/**
 * What Postgres decided under the event's eventId. When it cannot answer (out of reach, or slower than
 * `RecordedLookups` waits), an event nothing refuses is stored all the
 * same: a Postgres outage must not stop the brand's app, and nothing is doubled, as within JetStream's window the
 * publish answers a repeat and past it the resolver decides an eventId once (a changed body is counted in its
 * status's `conflicts`). A refused event still needs the answer (one whose 202 was lost must hear duplicate or
 * conflict, never that it is invalid now): the error, 503.
 */
async function recordedOrNothing(
  recordedBefore: RecordedEvents | undefined,
  tenantId: string,
  bodies: BehaviouralEventInput[],
  refused: boolean,
): Promise<RecordedEvent | undefined> {
  if (!recordedBefore) return undefined;
  try {
    // The bodies share their eventId, so each answer is undefined or each is a decision on the same row.
    const answers = await recordedBefore(tenantId, bodies);
    return answers.includes("match") ? "match" : answers[0];
  } catch (error) {
    if (refused) throw error;
    return undefined;
  }
}

/**
 * Stores the event on JetStream under its `eventId` (the message id), the way `storeTransactions` stores sales:
 * JetStream drops a repeat inside its duplicate window and names the message it kept, whose body tells a retry
 * (answered `duplicate`) from a changed event under a used id (refused `idempotency_conflict`, nothing stored).
 * Returns whether it was a duplicate.
 */
async function storeEvent(
  bus: Bus,
  publisher: CoalescingPublisher,
  message: EventMessage,
  bodies: BehaviouralEventInput[],
): Promise<{ duplicate: boolean }> {
  const { tenantId, event } = message;
  const published = await publishOrUnavailable(bus, () =>
    publisher.publishJson(bus.topology.subjects.event(tenantId, event.type), message, `${tenantId}:${event.eventId}`),
  );
  if (!published.duplicate) return { duplicate: false };
  await refuseChangedRepeat(bus, bodies, published.seq);
  return { duplicate: true };
}

/**
 * For an event refused before being stored (its `occurredAt` outside the window now) that the resolver has not
 * decided, whether JetStream stored it before under its `eventId` (`storedSequence`, as for sales): true for a retry
 * of it, `idempotency_conflict` for another body, false when it was not stored, and nothing is stored now either.
 */
async function eventStoredBefore(bus: Bus, message: EventMessage, bodies: BehaviouralEventInput[]): Promise<boolean> {
  const { tenantId, event } = message;
  const seq = await storedSequence(
    bus,
    bus.topology.subjects.event(tenantId, event.type),
    `${tenantId}:${event.eventId}`,
  );
  if (seq === null) return false;
  await refuseChangedRepeat(bus, bodies, seq);
  return true;
}

const changedEvent = (eventId: string) =>
  new DomainError(
    "idempotency_conflict",
    `eventId ${eventId} was accepted before with a different body; post a changed event under a new eventId`,
  );

/** Refuses a repeat none of whose `bodies` (as recorded, as posted) is that of the event stored at `seq`. */
async function refuseChangedRepeat(bus: Bus, bodies: BehaviouralEventInput[], seq: number): Promise<void> {
  const original = await eventFingerprintAt(bus, seq);
  if (bodies.some((body) => eventFingerprint(body) === original.fingerprint)) return;
  const event = bodies[0]!;
  throw new DomainError(
    "idempotency_conflict",
    "unreadable" in original
      ? `eventId ${event.eventId} was accepted before, and what is stored under it is not an event this gateway can read (${original.unreadable}), so this one cannot be its retry; post the event under a new eventId`
      : changedEvent(event.eventId).message,
  );
}

/**
 * The fingerprint of the event stored at `seq`. When it cannot be read the repeat can be told neither from a retry
 * nor from a conflict: `unavailable`, so the sender retries, never a 202 that would let a changed event pass as a
 * duplicate. When what is stored there is no event message, no body can match it: `unreadable` says why, and the
 * repeat is a conflict (as for sales, `fingerprintAt`).
 */
async function eventFingerprintAt(
  bus: Bus,
  seq: number,
): Promise<{ fingerprint: string } | { fingerprint: null; unreadable: string }> {
  const { events } = bus.topology.streams;
  const cannotCompare = (why: string) =>
    new DomainError(
      "unavailable",
      `this eventId was accepted before, and that event could not be read to compare it with this one; retry later (${why})`,
    );
  const stored = await bus.jsm.streams.getMessage(events, { seq }).catch((e: Error) => {
    throw cannotCompare(e.message);
  });
  if (!stored) throw cannotCompare(`message ${seq} is no longer on ${events}`);
  const parsed = EventMessage.safeParse(jsonOrUndefined(stored.string()));
  if (parsed.success) return { fingerprint: eventFingerprint(parsed.data.event) };
  return { fingerprint: null, unreadable: firstIssue(parsed.error.issues) };
}
