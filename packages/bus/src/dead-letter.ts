import type { JsMsg } from "@nats-io/jetstream";
import type { DeadLetter } from "@regulars/contracts";
import type { Bus } from "./connection.ts";
import { publishJson } from "./publish.ts";

/** The message being given up on: where it was stored, and what it said. */
export interface LetterSource {
  subject: string;
  /**
   * Its sequence in `stream`; with the consumer and the stream it is the dead letter's id, so one consumer's repeat
   * is stored once while each consumer of a shared stream giving up on the same message keeps its own letter.
   */
  streamSequence: number;
  deliveries: number;
  payload: string;
  /** The dead letter's id when it has no stream sequence of its own (default `<consumer>:<stream>:<sequence>`). */
  letterId?: string;
}

/** What a JetStream delivery says about itself. */
export const letterOf = (msg: JsMsg): LetterSource => ({
  subject: msg.subject,
  streamSequence: msg.info.streamSequence,
  deliveries: msg.info.deliveryCount,
  payload: msg.string(),
});

/** NATS' own default, for a connection that has not (yet) said what its server takes. */
const defaultMaxPayload = 1024 * 1024;
/** Left under max_payload for the headers (the message id) the letter is published with. */
const headerRoomBytes = 1024;
/** How much of the reason a shortened letter keeps: reasons are a sentence, a stack trace at most. */
const shortenedReasonChars = 4096;

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
  const limit = (bus.nc.info?.max_payload ?? defaultMaxPayload) - headerRoomBytes;
  await publishJson(
    bus.js,
    bus.topology.subjects.deadLetter(consumer),
    fitDeadLetter(body, limit),
    letter.letterId ?? `${consumer}:${stream}:${letter.streamSequence}`,
  );
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/**
 * The letter as it fits in `limit` bytes of JSON. The payload is kept as an escaped string, which can make a letter
 * of a message that was itself stored up to twice its size: NATS would refuse it, and a consumer that cannot
 * dead-letter a message retries it for ever (a ledger partition stops there). Such a letter keeps the reason,
 * where the message came from and as much of the payload's beginning as fits, with the payload's whole size.
 */
export function fitDeadLetter(body: DeadLetter, limit: number): DeadLetter {
  if (jsonBytes(body) <= limit) return body;
  const shortened: DeadLetter = {
    ...body,
    reason: body.reason.slice(0, shortenedReasonChars),
    payload: "",
    truncatedFromBytes: Buffer.byteLength(body.payload),
  };
  const room = limit - jsonBytes(shortened);
  let prefix = body.payload.slice(0, Math.max(0, room));
  // A character may take up to six bytes once escaped: shorten in proportion until the prefix fits.
  for (let bytes = jsonBytes(prefix) - 2; prefix.length && bytes > room; bytes = jsonBytes(prefix) - 2) {
    prefix = prefix.slice(0, Math.min(prefix.length - 1, Math.floor((prefix.length * room) / bytes)));
  }
  return { ...shortened, payload: prefix };
}
