import type { JsMsg } from "@nats-io/jetstream";
import type { DeadLetter } from "@regulars/contracts";
import type { Bus } from "./connection.ts";
import { publishJson } from "./publish.ts";

/** Keeps the original payload with the reason, so an operator can read why and replay it. */
export async function deadLetter(
  bus: Bus,
  consumer: string,
  stream: string,
  msg: JsMsg,
  reason: string,
): Promise<void> {
  const body: DeadLetter = {
    reason,
    consumer,
    stream,
    subject: msg.subject,
    streamSequence: msg.info.streamSequence,
    deliveries: msg.info.deliveryCount,
    failedAt: new Date().toISOString(),
    payload: msg.string(),
  };
  await publishJson(bus.js, bus.topology.subjects.deadLetter(consumer), body, `${stream}:${msg.info.streamSequence}`);
}
