import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import type { Bus } from "./connection.ts";

/** A stored message as `eraseMessages` shows it to its picker. */
export interface ScannedMessage {
  seq: number;
  subject: string;
  /** The id it was published under (`Nats-Msg-Id`), when it has one. */
  messageId?: string;
  text: string;
}

const isAlreadyGone = (e: unknown) => /no message found|not found/i.test(String((e as Error)?.message ?? e));

/**
 * Deletes the messages of `stream` on `filter` that `pick` chooses, reading only that filter's messages and none past
 * `throughSeq`; how many went. The server overwrites a deleted message's bytes (`erase`), so personal data does not
 * linger in the stream's files. A message already gone (deleted meanwhile, trimmed, aged out) counts as done.
 */
export async function eraseMessages(
  bus: Bus,
  stream: string,
  filter: string,
  pick: (message: ScannedMessage) => boolean,
  throughSeq = Number.MAX_SAFE_INTEGER,
): Promise<number> {
  const info = await bus.jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    filter_subject: filter,
    deliver_policy: DeliverPolicy.All,
    mem_storage: true,
    inactive_threshold: 60_000_000_000,
  });
  const chosen: number[] = [];
  try {
    if (info.num_pending > 0) {
      const reader = await bus.js.consumers.get(stream, info.name);
      for (let more = true; more; ) {
        more = false;
        for await (const m of await reader.fetch({ max_messages: 1_000, expires: 2_000 })) {
          if (m.seq > throughSeq) break;
          const messageId = m.headers?.get("Nats-Msg-Id") || undefined;
          if (pick({ seq: m.seq, subject: m.subject, text: m.string(), ...(messageId ? { messageId } : {}) }))
            chosen.push(m.seq);
          more = m.info.pending > 0;
          if (!more) break;
        }
      }
    }
  } finally {
    await bus.jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
  let erased = 0;
  for (const seq of chosen) {
    try {
      if (await bus.jsm.streams.deleteMessage(stream, seq, true)) erased++;
    } catch (e) {
      if (!isAlreadyGone(e)) throw e;
    }
  }
  return erased;
}
