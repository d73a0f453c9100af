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
