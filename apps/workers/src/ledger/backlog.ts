import { type Bus, pendingAfter } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { partitionPositions, positionsCountIn } from "@regulars/ledger-store";

/**
 * Each partition's position in the transactions stream as it is now; null while positions count in a stream since
 * made anew (no ledger worker has noticed yet): they say nothing about this one, whose messages are all still to read.
 */
export async function positionsNow(bus: Bus, db: Db): Promise<Map<number, number> | null> {
  const { namespace, streams } = bus.topology;
  const { created } = await bus.jsm.streams.info(streams.transactions);
  return (await positionsCountIn(db, namespace, created)) ? partitionPositions(db, namespace) : null;
}

/**
 * Transactions stored on the stream and not yet applied by the ledger, over all partitions and workers:
 * for each partition, the messages past the position Postgres holds for it. What tests, benches and
 * operators wait on ("has the ledger caught up?"), from any process.
 */
export async function ledgerBacklog(bus: Bus, db: Db): Promise<number> {
  const { partitions, streams, subjects } = bus.topology;
  const positions = (await positionsNow(bus, db)) ?? new Map<number, number>();
  let backlog = 0;
  for (let p = 0; p < partitions; p++)
    backlog += await pendingAfter(bus, streams.transactions, subjects.transactionPartition(p), positions.get(p) ?? 0);
  return backlog;
}

/**
 * The lowest sequence of the transactions stream the ledger has yet to apply, or null when every partition is
 * applied to its last message: for each partition behind, the sequence after the position Postgres holds for it.
 */
export async function ledgerUnreadFrom(bus: Bus, db: Db): Promise<number | null> {
  const { partitions, streams, subjects } = bus.topology;
  const positions = (await positionsNow(bus, db)) ?? new Map<number, number>();
  let lowest: number | null = null;
  for (let p = 0; p < partitions; p++) {
    const applied = positions.get(p) ?? 0;
    const last = await bus.jsm.streams.getMessage(streams.transactions, {
      last_by_subj: subjects.transactionPartition(p),
    });
    if (last && last.seq > applied) lowest = lowest === null ? applied + 1 : Math.min(lowest, applied + 1);
  }
  return lowest;
}
