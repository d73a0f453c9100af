import type { Bus, CoalescingPublisher } from "@regulars/bus";
import { EventMessage, eventFingerprint } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { firstIssue, jsonOrUndefined, publishOrUnavailable, storedSequence } from "./intake.ts";
import { recordedEvent } from "./recorded-before.ts";

/**
 * Stores the event on JetStream under its `eventId` (the message id), the way `storeTransactions` stores sales:
 * JetStream drops a repeat inside its duplicate window and names the message it kept, whose body tells a retry
 * (answered `duplicate`) from a changed event under a used id (refused `idempotency_conflict`, nothing stored).
 * Returns whether it was a duplicate.
 */
export async function storeEvent(
  bus: Bus,
  publisher: CoalescingPublisher,
  message: EventMessage,
): Promise<{ duplicate: boolean }> {
  const { tenantId, event } = message;
  const published = await publishOrUnavailable(bus, () =>
    publisher.publishJson(bus.topology.subjects.event(tenantId, event.type), message, `${tenantId}:${event.eventId}`),
  );
  if (!published.duplicate) return { duplicate: false };
  await refuseChangedRepeat(bus, event, published.seq);
  return { duplicate: true };
}

/**
 * For an event refused before being stored (its `occurredAt` outside the window now), whether it was stored before
 * under its `eventId` (`storedSequence`, as for sales): true for a retry of it, `idempotency_conflict` for another
 * body, false when it was not stored, and nothing is stored now either. Past JetStream's duplicate window, what the
 * ledger decided under the eventId answers instead (`recordedEvent`).
 */
export async function eventStoredBefore(bus: Bus, message: EventMessage, db?: Db): Promise<boolean> {
  const { tenantId, event } = message;
  const seq = await storedSequence(
    bus,
    bus.topology.subjects.event(tenantId, event.type),
    `${tenantId}:${event.eventId}`,
  );
  if (seq === null) return db ? decidedBefore(db, message) : false;
  await refuseChangedRepeat(bus, event, seq);
  return true;
}

async function decidedBefore(db: Db, message: EventMessage): Promise<boolean> {
  const recorded = await recordedEvent(db, message);
  if (recorded === "other") throw changedEvent(message.event.eventId);
  return recorded === "match";
}

const changedEvent = (eventId: string) =>
  new DomainError(
    "idempotency_conflict",
    `eventId ${eventId} was accepted before with a different body; post a changed event under a new eventId`,
  );

/** Refuses a repeat whose body is not that of the event stored at `seq`. */
async function refuseChangedRepeat(bus: Bus, event: EventMessage["event"], seq: number): Promise<void> {
  const original = await eventFingerprintAt(bus, seq);
  if (original.fingerprint === eventFingerprint(event)) return;
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
