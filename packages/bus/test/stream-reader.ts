import type { StoredMsg } from "@nats-io/jetstream";
import { DeadLetter } from "@regulars/contracts";
import type { Bus } from "../src/index.ts";

/** Every message a stream holds, in sequence order, read with direct gets (no consumer left behind). */
export async function storedMessages(bus: Bus, stream: string): Promise<StoredMsg[]> {
  const { state } = await bus.jsm.streams.info(stream);
  if (state.messages === 0) return [];
  const out: StoredMsg[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage(stream, { seq });
    if (m) out.push(m);
  }
  return out;
}

/** Dead letters, checked against the contract, sorted by the original message's sequence. */
export async function deadLetters(bus: Bus): Promise<{ subject: string; body: DeadLetter }[]> {
  const stored = await storedMessages(bus, bus.topology.streams.deadLetter);
  return stored
    .map((m) => ({ subject: m.subject, body: DeadLetter.parse(m.json()) }))
    .sort((a, b) => a.body.streamSequence - b.body.streamSequence);
}
