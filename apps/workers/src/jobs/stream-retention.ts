import { type Bus, busDefaults, firstUnacknowledged, trimStream } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { ledgerUnreadFrom } from "../ledger/backlog.ts";

/**
 * The streams' retention, as of `now`: each loses the messages older than `keepReadMs` that its readers are done
 * with: the transactions stream those the ledger has applied (its positions in Postgres), the app events and domain
 * streams those every durable consumer has acknowledged. Nothing unread goes, however old: a ledger stopped for a
 * month resumes where it stopped. Returns how many messages went, per stream.
 */
export async function trimStreams(
  bus: Bus,
  db: Db,
  now: Date,
  keepReadMs: number = busDefaults.keepReadMs,
): Promise<{ transactions: number; events: number; domain: number }> {
  const keepSince = new Date(now.getTime() - keepReadMs);
  const { streams } = bus.topology;
  return {
    transactions: await trimStream(bus, streams.transactions, keepSince, () => ledgerUnreadFrom(bus, db)),
    events: await trimStream(bus, streams.events, keepSince, () => firstUnacknowledged(bus, streams.events)),
    domain: await trimStream(bus, streams.domain, keepSince, () => firstUnacknowledged(bus, streams.domain)),
  };
}
