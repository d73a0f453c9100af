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
  return { seq: ack.seq, duplicate: ack.duplicate };
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
