import { type Bus, connectionPublisher, type DeadLetterInfo, deadLetter } from "@regulars/bus";
import type { OutboxItem } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";

/** Where the outbox's publishers report an event they gave up on (each process counts it in its metrics). */
export interface DeadLetterSink {
  log: Logger;
  /** Called after the event is dead-lettered and its row may be marked done; for `regulars_dead_letters_total`. */
  onDeadLetter?: (info: DeadLetterInfo) => void;
}

/** Unacknowledged publishes at a time, each slice one socket write (as `publishAllCoalesced`). */
const inFlight = 1_000;

/**
 * Why NATS refused the event for good, or null when it may pass on a later try. The client refuses a message above the
 * server's max_payload and an illegal subject before sending it; JetStream refuses one above the stream's
 * max_msg_size (10054, told by its description: the coalescing publisher keeps only that). Whatever else fails (a
 * closed connection, no answer in time, no stream leader: 503) may pass, and is retried.
 */
export function permanentRefusal(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  if (error.name === "InvalidSubjectError") return error.message;
  if (error.name === "InvalidArgumentError" && /max_payload/.test(error.message)) return error.message;
  if (/message size exceeds maximum/i.test(error.message)) return error.message;
  return null;
}

interface Refused {
  event: OutboxItem;
  subject: string;
  payload: string;
  reason: string;
}

/**
 * Publishes the events (JetStream de-duplicates by id) and resolves when each is stored or dead-lettered. An event
 * NATS refuses for good would fail every pass on the same row, and with it every later row of the pass: it goes to
 * `<ns>.dlq.outbox` with the reason, is logged and counted, and the rest go on, so its row is marked done with theirs.
 * Any other failure rejects before anything is dead-lettered: the rows stay for the next pass, whole.
 */
export async function publishEvents(bus: Bus, events: readonly OutboxItem[], sink: DeadLetterSink): Promise<void> {
  const publisher = connectionPublisher(bus.nc);
  const refused: Refused[] = [];
  for (let i = 0; i < events.length; i += inFlight) {
    const slice = events.slice(i, i + inFlight).map((event) => ({
      event,
      subject: bus.topology.subjects.domain(event.tenantId, event.type),
      payload: JSON.stringify(event.payload),
    }));
    const results = await Promise.allSettled(slice.map((m) => publisher.publish(m.subject, m.payload, m.event.id)));
    let retry: unknown = null;
    for (const [j, result] of results.entries()) {
      if (result.status === "fulfilled") continue;
      const reason = permanentRefusal(result.reason);
      if (reason === null) retry ??= result.reason;
      else refused.push({ ...slice[j]!, reason });
    }
    if (retry !== null) throw retry;
  }
  for (const r of refused) await giveUp(bus, r, sink);
}

async function giveUp(bus: Bus, r: Refused, sink: DeadLetterSink): Promise<void> {
  const consumer = bus.topology.consumers.outbox;
  const bytes = Buffer.byteLength(r.payload);
  const reason = `NATS refused outbox event ${r.event.id} (${bytes} bytes) for good: ${r.reason}`;
  const facts = { eventId: r.event.id, tenantId: r.event.tenantId, type: r.event.type, subject: r.subject, bytes };
  let lettered = true;
  try {
    await deadLetter(
      bus,
      consumer,
      bus.topology.streams.domain,
      // Never stored on a stream: no sequence of its own. The letter's id is the event's, so a pass repeated
      // after a failure stores it once.
      {
        subject: r.subject,
        streamSequence: 0,
        deliveries: 1,
        payload: r.payload,
        letterId: `${consumer}:${r.event.id}`,
      },
      reason,
    );
  } catch (e) {
    // A letter that may be stored later fails the pass (the rows stay); one refused for good too is only logged:
    // the outbox row keeps the whole event until it is pruned.
    if (permanentRefusal(e) === null) throw e;
    lettered = false;
    sink.log.error({ ...facts, reason, err: e }, "outbox event refused for good, and its dead letter too: skipped");
  }
  if (lettered)
    sink.log.error({ ...facts, reason }, "outbox event refused for good: dead-lettered, the later events go on");
  sink.onDeadLetter?.({ consumer, subject: r.subject, payload: r.payload, reason, category: "rejected" });
}
