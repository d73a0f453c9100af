import type { JetStreamClient } from "@nats-io/jetstream";

export interface Published {
  seq: number;
  duplicate: boolean;
}

/**
 * Publishes JSON and waits for JetStream's acknowledgement: the message is stored (and replicated)
 * when this resolves. `msgId` makes a repeat inside the duplicate window a no-op.
 */
export async function publishJson(
  js: JetStreamClient,
  subject: string,
  payload: unknown,
  msgId: string,
): Promise<Published> {
  const ack = await js.publish(subject, JSON.stringify(payload), { msgID: msgId });
  if (ack.duplicate && ack.seq === 0) throw duplicateNotStored(msgId);
  return { seq: ack.seq, duplicate: ack.duplicate };
}

/**
 * A duplicate of sequence 0 is not a stored message. A NATS cluster's stream leader (before nats-server 2.11) notes
 * a message id with sequence 0 as soon as a publish reaches it, before the message is replicated, and answers a repeat
 * meanwhile "duplicate, sequence 0". Usually the first publish is stored a moment later; but when a leader change
 * drops it, the repeats go on being answered so for the stream's duplicate window though nothing was stored
 * (nats-io/nats-server#6486). Either way the message is not known to be stored: the publish fails and is retried
 * (a till is answered 503), never counted as done.
 */
export function duplicateNotStored(msgId: string): Error {
  return new Error(
    `JetStream has seen message id ${msgId} in a publish it has not stored (still being stored, or lost in a leader change)`,
  );
}

/**
 * Publish many, a bounded number in flight: one-by-one awaiting caps out at a few thousand per second. Each is a
 * request of the client's own; committed events on a hot path go through `publishAllCoalesced` instead.
 */
export async function publishMany(
  js: JetStreamClient,
  messages: { subject: string; payload: unknown; msgId: string }[],
  inFlight = 256,
): Promise<void> {
  for (let i = 0; i < messages.length; i += inFlight) {
    await Promise.all(messages.slice(i, i + inFlight).map((m) => publishJson(js, m.subject, m.payload, m.msgId)));
  }
}
