import { AckPolicy, DeliverPolicy } from "@nats-io/jetstream";
import type { Bus } from "./connection.ts";

const ms = (n: number) => n * 1_000_000; // JetStream durations are nanoseconds

/**
 * The first sequence of `stream` stored at or after `since`, or one past the last when nothing is. The server
 * keeps the stream's time index: a throw-away consumer asked to start at that time is placed there.
 */
export async function firstSeqStoredSince(bus: Bus, stream: string, since: Date): Promise<number> {
  const probe = await bus.jsm.consumers.add(stream, {
    deliver_policy: DeliverPolicy.StartTime,
    opt_start_time: since.toISOString(),
    ack_policy: AckPolicy.None,
    mem_storage: true,
    num_replicas: 1,
    inactive_threshold: ms(5_000),
  });
  await bus.jsm.consumers.delete(stream, probe.name).catch(() => false);
  return probe.delivered.stream_seq + 1;
}

/**
 * The lowest sequence of `stream` that one of its durable consumers has yet to acknowledge, or null when every one
 * has acknowledged all it reads. Ephemeral consumers (ordered readers, probes) hold no position anyone resumes from
 * and do not count. A filtered consumer's floor may lie below messages it never reads: that keeps more, never less.
 */
export async function firstUnacknowledged(bus: Bus, stream: string): Promise<number | null> {
  let lowest: number | null = null;
  for await (const info of bus.jsm.consumers.list(stream)) {
    if (!info.config.durable_name || (info.num_pending === 0 && info.num_ack_pending === 0)) continue;
    const from = info.ack_floor.stream_seq + 1;
    lowest = lowest === null ? from : Math.min(lowest, from);
  }
  return lowest;
}

/**
 * Deletes the messages of `stream` that are older than `keepSince` and that no reader still needs; an unread message
 * stays however old it is. (An age limit on the stream would delete it: a reader down for longer than the limit
 * would lose accepted sales without a word.) `unreadFrom` names the lowest sequence a reader still needs, or null; it
 * is asked after the time is looked up, so a message stored meanwhile lies past both and stays. Returns how many
 * messages went.
 */
export async function trimStream(
  bus: Bus,
  stream: string,
  keepSince: Date,
  unreadFrom: () => Promise<number | null>,
): Promise<number> {
  const recentFrom = await firstSeqStoredSince(bus, stream, keepSince);
  const unread = await unreadFrom();
  const keepFrom = unread === null ? recentFrom : Math.min(recentFrom, unread);
  const { state } = await bus.jsm.streams.info(stream);
  if (keepFrom <= state.first_seq) return 0; // an empty stream's first sequence is one past its last
  const { purged } = await bus.jsm.streams.purge(stream, { seq: keepFrom });
  return purged;
}
