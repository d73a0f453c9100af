import type { JsMsg } from "@nats-io/jetstream";
import type { DeadLetter } from "@regulars/contracts";
import type { Bus } from "./connection.ts";
import { publishJson } from "./publish.ts";

/** The message being given up on: where it was stored, and what it said. */
export interface LetterSource {
  subject: string;
  /** Its sequence in `stream`; with the stream it is the dead letter's id, so a repeat is stored once. */
  streamSequence: number;
  deliveries: number;
  payload: string;
  /** The dead letter's id when it has no stream sequence of its own (default `<stream>:<sequence>`). */
  letterId?: string;
}

/** What a JetStream delivery says about itself. */
export const letterOf = (msg: JsMsg): LetterSource => ({
  subject: msg.subject,
  streamSequence: msg.info.streamSequence,
  deliveries: msg.info.deliveryCount,
  payload: msg.string(),
});

/** Keeps the original payload with the reason, so an operator can read why and replay it. */
export async function deadLetter(
  bus: Bus,
  consumer: string,
  stream: string,
  msg: JsMsg | LetterSource,
  reason: string,
): Promise<void> {
  const letter = "info" in msg ? letterOf(msg) : msg;
  const body: DeadLetter = {
    reason,
    consumer,
    stream,
    subject: letter.subject,
    streamSequence: letter.streamSequence,
    deliveries: letter.deliveries,
    failedAt: new Date().toISOString(),
    payload: letter.payload,
  };
  await publishJson(
    bus.js,
    bus.topology.subjects.deadLetter(consumer),
    body,
    letter.letterId ?? `${stream}:${letter.streamSequence}`,
  );
}
