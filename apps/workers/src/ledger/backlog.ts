import { type Bus, pendingAfter } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { partitionPositions } from "@regulars/ledger-store";

/**
 * Transactions stored on the stream and not yet applied by the ledger, over all partitions and workers:
 * for each partition, the messages past the position Postgres holds for it. What tests, benches and
 * operators wait on ("has the ledger caught up?"), from any process.
 */
export async function ledgerBacklog(bus: Bus, db: Db): Promise<number> {
  const { namespace, partitions, streams, subjects } = bus.topology;
  const positions = await partitionPositions(db, namespace);
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
  const { namespace, partitions, streams, subjects } = bus.topology;
  const positions = await partitionPositions(db, namespace);
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
