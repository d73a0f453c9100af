import { randomUUID } from "node:crypto";
import type { JsMsg, StoredMsg } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { DeadLetter } from "@regulars/contracts";
import type { Bus } from "./connection.ts";
import { isNoSuchMessage, scanMessages } from "./erase-messages.ts";
import { replayForHeader } from "./topology.ts";

/** A dead letter as kept on the dead-letter stream: its sequence there is the operator's handle on it. */
export interface StoredDeadLetter {
  seq: number;
  letter: DeadLetter;
  /** The id it was stored under (`Nats-Msg-Id`): an outbox letter's is `outbox:<event id>`, which the letter lacks. */
  messageId?: string;
}

export interface DeadLetterFilter {
  /** Only this consumer's dead letters (`ledger`, `event-resolver`, `analytics-writer`). */
  consumer?: string;
  /** Only those dead-lettered at or after this instant. */
  since?: Date;
  /** Called every `every` letters read, for long listings. */
  onProgress?: (read: number) => void;
}

const messageIdHeader = "Nats-Msg-Id";

const parse = (seq: number, data: unknown, messageId: string | undefined): StoredDeadLetter => {
  const letter = DeadLetter.safeParse(data);
  if (!letter.success)
    throw new Error(
      `dead letter ${seq} does not match the contract: ${letter.error.issues.map((i) => i.path.join(".")).join(", ")}`,
    );
  return { seq, letter: letter.data, ...(messageId ? { messageId } : {}) };
};

/**
 * Reads dead letters in order, filtered on the server by consumer and time (2.9 servers refuse filters on ordered
 * consumers), never acknowledging, so reading changes nothing. A listing that could not reach the last letter throws
 * rather than ending as if it had (`scanMessages`).
 */
export async function* readDeadLetters(bus: Bus, filter: DeadLetterFilter = {}): AsyncGenerator<StoredDeadLetter> {
  const subject = filter.consumer
    ? bus.topology.subjects.deadLetter(filter.consumer)
    : bus.topology.subjects.allDeadLetters;
  let read = 0;
  for await (const m of scanMessages(bus, bus.topology.streams.deadLetter, {
    filter: subject,
    ...(filter.since ? { since: filter.since } : {}),
  })) {
    yield parse(m.seq, m.json(), m.headers?.get(messageIdHeader));
    if (++read % 1_000 === 0) filter.onProgress?.(read);
  }
}

export async function getDeadLetter(bus: Bus, seq: number): Promise<StoredDeadLetter | null> {
  let stored: StoredMsg | null;
  try {
    stored = await bus.jsm.streams.getMessage(bus.topology.streams.deadLetter, { seq });
  } catch (e) {
    if (isNoSuchMessage(e)) return null;
    throw e;
  }
  return stored ? parse(stored.seq, stored.json(), stored.header?.get(messageIdHeader)) : null;
}

/**
 * The durable a replayed message is addressed to, when that is another than `durable`; null when it is ours (or
 * for everyone). A dead letter is one consumer's, but its replay goes back on a shared stream whose other durables
 * acked the message long ago, and not all of them are idempotent that late: the webhook fan-out's guard rows are
 * pruned after a week (letters are kept 30 days), campaign triggers would enrol the customer in campaigns created
 * since. The batch consumer acks such a replay unread; the ledger's partition readers, alone on their stream, need
 * not look.
 */
export function replayForAnother(msg: JsMsg, durable: string): string | null {
  const target = msg.headers?.get(replayForHeader);
  return target && target !== durable ? target : null;
}

/**
 * Publishes the original payload again on its original subject, addressed to the consumer that gave up on it
 * (`replayForHeader`), then removes the dead letter. The message id is new: the original (`tenant:externalId`) would
 * be swallowed by JetStream's duplicate window. A replay that happens twice is harmless: that consumer's idempotency
 * keys make the second a no-op. The outbox's letters are not addressed: NATS refused those events, so no consumer
 * has read them and every one should.
 */
export async function replayDeadLetter(bus: Bus, stored: StoredDeadLetter): Promise<{ seq: number }> {
  // Published again, the beginning of a payload would only be dead-lettered again as unreadable, and this letter lost.
  if (stored.letter.truncatedFromBytes !== undefined)
    throw new Error(cutShort(bus, stored, stored.letter.truncatedFromBytes));
  const h = headers();
  if (stored.letter.consumer !== bus.topology.consumers.outbox) h.set(replayForHeader, stored.letter.consumer);
  const ack = await bus.js.publish(stored.letter.subject, stored.letter.payload, {
    msgID: `replay:${stored.seq}:${randomUUID()}`,
    headers: h,
  });
  await bus.jsm.streams.deleteMessage(bus.topology.streams.deadLetter, stored.seq, false);
  return { seq: ack.seq };
}

/** Why a letter that kept only its payload's beginning cannot be replayed, and where the whole message is. */
function cutShort(bus: Bus, { seq, letter, messageId }: StoredDeadLetter, wholeBytes: number): string {
  const { consumer, stream, streamSequence } = letter;
  if (consumer !== bus.topology.consumers.outbox)
    return (
      `dead letter ${seq} keeps only the beginning of its ${wholeBytes}-byte payload, so it cannot be ` +
      `replayed; the whole message is ${streamSequence} on ${stream} while that stream keeps it`
    );
  // The outbox dead-letters an event NATS refused (it was never on a stream) and marks its row published, which
  // keeps the whole event until the outbox cleanup deletes published rows a week old (`pruneOutbox`).
  const prefix = `${consumer}:`;
  const eventId = messageId?.startsWith(prefix) ? messageId.slice(prefix.length) : null;
  const event = eventId ? `outbox event ${eventId}` : `the outbox event on ${letter.subject}`;
  const row = eventId ? `its outbox_events row (id ${eventId}, or the batch row holding it)` : "its outbox_events row";
  return (
    `dead letter ${seq} kept only the first ${Buffer.byteLength(letter.payload)} of the ${wholeBytes} bytes of ` +
    `${event}, so it cannot be replayed. NATS refused the event, so no stream holds it; ${row} was marked ` +
    `published and keeps the whole event until the outbox cleanup deletes it a week later. To publish it, let NATS ` +
    `take a ${wholeBytes}-byte message (the server's max_payload, ${stream}'s max_msg_size), then set that row's ` +
    "published_at to NULL: the outbox relay publishes it again (with a batch row's other events, which consumers " +
    "ignore as repeats)"
  );
}
