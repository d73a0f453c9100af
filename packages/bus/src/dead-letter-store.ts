import { randomUUID } from "node:crypto";
import { AckPolicy, DeliverPolicy, type StoredMsg } from "@nats-io/jetstream";
import { DeadLetter } from "@regulars/contracts";
import type { Bus } from "./connection.ts";

/** A dead letter as kept on the dead-letter stream: its sequence there is the operator's handle on it. */
export interface StoredDeadLetter {
  seq: number;
  letter: DeadLetter;
}

export interface DeadLetterFilter {
  /** Only this consumer's dead letters (`ledger`, `event-resolver`, `analytics-writer`). */
  consumer?: string;
  /** Only those dead-lettered at or after this instant. */
  since?: Date;
  /** Called every `every` letters read, for long listings. */
  onProgress?: (read: number) => void;
}

const parse = (seq: number, data: unknown): StoredDeadLetter => {
  const letter = DeadLetter.safeParse(data);
  if (!letter.success)
    throw new Error(
      `dead letter ${seq} does not match the contract: ${letter.error.issues.map((i) => i.path.join(".")).join(", ")}`,
    );
  return { seq, letter: letter.data };
};

/**
 * Reads dead letters in order through a short-lived consumer of our own: filtered on the server by
 * consumer and time (2.9 servers refuse filters on ordered consumers), never acknowledging, so reading
 * changes nothing.
 */
export async function* readDeadLetters(bus: Bus, filter: DeadLetterFilter = {}): AsyncGenerator<StoredDeadLetter> {
  const stream = bus.topology.streams.deadLetter;
  const info = await bus.jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    filter_subject: filter.consumer
      ? bus.topology.subjects.deadLetter(filter.consumer)
      : bus.topology.subjects.allDeadLetters,
    ...(filter.since
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: filter.since.toISOString() }
      : { deliver_policy: DeliverPolicy.All }),
    inactive_threshold: 60_000_000_000, // removed by the server a minute after we stop reading
  });
  try {
    if (info.num_pending === 0) return;
    const reader = await bus.js.consumers.get(stream, info.name);
    let read = 0;
    for (;;) {
      let last = 0;
      for await (const m of await reader.fetch({ max_messages: 1_000, expires: 2_000 })) {
        yield parse(m.seq, m.json());
        if (++read % 1_000 === 0) filter.onProgress?.(read);
        last = m.info.pending;
        if (last === 0) break;
      }
      if (last === 0) return;
    }
  } finally {
    await bus.jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}

export async function getDeadLetter(bus: Bus, seq: number): Promise<StoredDeadLetter | null> {
  let stored: StoredMsg | null;
  try {
    stored = await bus.jsm.streams.getMessage(bus.topology.streams.deadLetter, { seq });
  } catch (e) {
    if (/no message found|not found/i.test((e as Error).message)) return null;
    throw e;
  }
  return stored ? parse(stored.seq, stored.json()) : null;
}

/**
 * Publishes the original payload again on its original subject, then removes the dead letter. The
 * message id is new: the original (`tenant:externalId`) would be swallowed by JetStream's duplicate
 * window. A replay that happens twice is harmless: the consumers' idempotency keys make the second a no-op.
 */
export async function replayDeadLetter(bus: Bus, stored: StoredDeadLetter): Promise<{ seq: number }> {
  const { truncatedFromBytes, stream, streamSequence } = stored.letter;
  // Published again, the beginning of a payload would only be dead-lettered again as unreadable, and this letter lost.
  if (truncatedFromBytes !== undefined)
    throw new Error(
      `dead letter ${stored.seq} keeps only the beginning of its ${truncatedFromBytes}-byte payload, so it cannot be ` +
        `replayed; the whole message is ${streamSequence} on ${stream} while that stream keeps it`,
    );
  const ack = await bus.js.publish(stored.letter.subject, stored.letter.payload, {
    msgID: `replay:${stored.seq}:${randomUUID()}`,
  });
  await bus.jsm.streams.deleteMessage(bus.topology.streams.deadLetter, stored.seq, false);
  return { seq: ack.seq };
}
