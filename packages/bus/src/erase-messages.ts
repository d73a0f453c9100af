import { AckPolicy, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { Bus } from "./connection.ts";

/** A stored message as `eraseMessages` shows it to its picker. */
export interface ScannedMessage {
  seq: number;
  subject: string;
  /** The id it was published under (`Nats-Msg-Id`), when it has one. */
  messageId?: string;
  text: string;
}

/** Which messages of a stream a scan reads. */
export interface ScanRange {
  filter: string;
  /** Only those stored at or after this instant (the server skips the rest). */
  since?: Date;
  /** None past this sequence. */
  throughSeq?: number;
}

/** Whether a failure says the message asked for is not on the stream (deleted, trimmed, aged out, never there). */
export const isNoSuchMessage = (e: unknown) => /no message found|not found/i.test(String((e as Error)?.message ?? e));

/** Fetches in a row that may come back empty (a slow server, a reconnect) before a scan gives up. */
const EMPTY_FETCHES = 3;

/** The last sequence a scan must reach: the filter's last message as the scan starts, or `throughSeq` before it. */
async function scanEnd(bus: Bus, stream: string, range: ScanRange): Promise<number> {
  try {
    const last = await bus.jsm.streams.getMessage(stream, { last_by_subj: range.filter });
    return Math.min(last?.seq ?? 0, range.throughSeq ?? Number.MAX_SAFE_INTEGER);
  } catch (e) {
    if (isNoSuchMessage(e)) return 0;
    throw e;
  }
}

/**
 * The messages of `range` in order, through a short-lived consumer of our own that never acknowledges, so reading
 * changes nothing. Ends only once it has read up to the range's end as the scan began, or the server counts nothing
 * left to deliver (what it had not read went meanwhile): a fetch can come back empty with messages still due, and a
 * scan taken for complete then would have callers act on part of the range as if on all of it (an erasure marked
 * done with the person's messages left). Throws instead, for the caller to run it again.
 */
export async function* scanMessages(bus: Bus, stream: string, range: ScanRange): AsyncGenerator<JsMsg> {
  const end = await scanEnd(bus, stream, range);
  if (end === 0) return;
  const info = await bus.jsm.consumers.add(stream, {
    ack_policy: AckPolicy.None,
    filter_subject: range.filter,
    ...(range.since
      ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: range.since.toISOString() }
      : { deliver_policy: DeliverPolicy.All }),
    mem_storage: true,
    inactive_threshold: 60_000_000_000, // removed by the server a minute after we stop reading
  });
  try {
    if (info.num_pending === 0) return;
    const reader = await bus.js.consumers.get(stream, info.name);
    let lastRead = 0;
    for (let empty = 0; ; ) {
      let read = 0;
      for await (const m of await reader.fetch({ max_messages: 1_000, expires: 2_000 })) {
        // Past the end only when the end's own message went meanwhile: everything up to it is read.
        if (m.seq > end) return;
        read++;
        lastRead = m.seq;
        yield m;
        if (m.seq >= end || m.info.pending === 0) return;
      }
      if (read) empty = 0;
      else if (await scanLeftNothing(bus, stream, info.name)) return;
      else if (++empty >= EMPTY_FETCHES)
        throw new Error(
          `scan of ${stream} on ${range.filter} stopped at sequence ${lastRead} short of ${end}: ` +
            `${EMPTY_FETCHES} fetches in a row came back empty with messages still due`,
        );
    }
  } finally {
    await bus.jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}

/** Whether the scan's consumer has nothing left to deliver. */
export async function scanLeftNothing(bus: Bus, stream: string, consumer: string): Promise<boolean> {
  return (await bus.jsm.consumers.info(stream, consumer)).num_pending === 0;
}

/**
 * Deletes the messages of `range` that `pick` chooses; how many went. The scan is read whole before any delete, and a
 * scan that could not prove it read the range throws (`scanMessages`), deleting nothing. The server overwrites a
 * deleted message's bytes (`erase`), so personal data does not linger in the stream's files. A message already gone
 * (deleted meanwhile, trimmed, aged out) counts as done.
 */
export async function eraseMessages(
  bus: Bus,
  stream: string,
  range: ScanRange,
  pick: (message: ScannedMessage) => boolean,
): Promise<number> {
  const chosen: number[] = [];
  for await (const m of scanMessages(bus, stream, range)) {
    const messageId = m.headers?.get("Nats-Msg-Id") || undefined;
    if (pick({ seq: m.seq, subject: m.subject, text: m.string(), ...(messageId ? { messageId } : {}) }))
      chosen.push(m.seq);
  }
  let erased = 0;
  for (const seq of chosen) {
    try {
      if (await bus.jsm.streams.deleteMessage(stream, seq, true)) erased++;
    } catch (e) {
      if (!isNoSuchMessage(e)) throw e;
    }
  }
  return erased;
}
