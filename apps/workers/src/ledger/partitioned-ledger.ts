import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  type Bus,
  busDefaults,
  type ConsumerDependency,
  type ConsumerState,
  type DeadLetterInfo,
  DependencyGate,
  defaultPauseBackoff,
  type PartitionMessage,
  PartitionReaders,
  type RunningConsumer,
  summarize,
} from "@regulars/bus";
import type { TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import {
  type AppliedBatch,
  LeaseLostError,
  type LedgerDeps,
  ledgerDefaults,
  retireWorker,
  StreamChangedError,
} from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { sweepParkedRefunds } from "./parked-refunds-sweep.ts";
import { partitionBatchApplier } from "./partition-batch.ts";
import { keepPartitionLeases, streamCreated } from "./partition-leases.ts";

export interface PartitionedLedgerOptions {
  db: Db;
  bus: Bus;
  log: Logger;
  ledger: LedgerDeps;
  dependency: ConsumerDependency;
  maxBatch?: number;
  /** How long to wait for a fuller batch when few messages are ready (0: apply at once); see `ledgerDefaults`. */
  lingerMs?: number;
  /** Batches applied at once, each of other partitions; see `ledgerDefaults`. */
  concurrentBatches?: number;
  /** A partition is free for another worker this long after its holder stopped renewing (a crash). */
  leaseMs?: number;
  /** Attempts at a message that fails on its own (a deadlock, a bug) before it is dead-lettered. */
  maxAttempts?: number;
  pauseBackoffMs?: (probe: number) => number;
  /** How often refunds parked past their deadline are rejected and dead-lettered. */
  parkedSweepMs?: number;
  /** This worker's name in the partition table; unique per process. */
  worker?: string;
  onApplied?: (batch: AppliedBatch, messages: TransactionMessage[]) => Promise<void>;
  onDeadLetter?: (info: DeadLetterInfo) => void;
  onBatch?: (stats: { size: number; ms: number; failed: number }) => void;
}

export interface RunningLedger extends RunningConsumer {
  /** The partitions this worker applies now. */
  held(): number[];
  /** Messages read or still in the stream for the partitions held. */
  backlog(): number;
}

/**
 * The ledger worker. Transactions are spread over partitions by customer (at the gateway); each partition
 * is applied strictly in stream order by the one worker holding its lease, and the workers alive share the
 * partitions fairly (a new worker gets its share within a lease period, a dead one's partitions are taken
 * over when its leases run out).
 *
 * Exactly once and in order without relying on acknowledgements: each partition's position (the last
 * stream sequence applied) is stored in Postgres and moved in the same transaction as the batch, after a
 * check that this worker still holds the partition. A worker that takes a partition over reads on from
 * that position; a worker that lost a lease (a long pause) finds out at its next commit and applies nothing.
 */
export async function startPartitionedLedger(opts: PartitionedLedgerOptions): Promise<RunningLedger> {
  const { db, bus, log } = opts;
  const { namespace, partitions, streams, consumers, subjects } = bus.topology;
  const consumer = consumers.ledger;
  const maxBatch = opts.maxBatch ?? busDefaults.maxBatch;
  const leaseMs = opts.leaseMs ?? ledgerDefaults.leaseMs;
  const lingerMs = opts.lingerMs ?? ledgerDefaults.lingerMs;
  const lingerBatch = Math.min(maxBatch, ledgerDefaults.lingerBatch);
  const concurrentBatches = opts.concurrentBatches ?? ledgerDefaults.concurrentBatches;
  const worker = opts.worker ?? `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const guard = { namespace, worker, leaseMs };
  const gate = new DependencyGate({
    consumer,
    dependency: opts.dependency,
    pauseBackoffMs: opts.pauseBackoffMs ?? defaultPauseBackoff,
    log,
  });
  const readers = new PartitionReaders({
    bus,
    stream: streams.transactions,
    filterOf: subjects.transactionPartition,
    highWater: 4 * maxBatch,
    log,
  });
  const leases = await keepPartitionLeases({ db, bus, log, readers, guard, stream: await streamCreated(bus) });
  const stopSweep = sweepParkedRefunds({
    db,
    bus,
    log,
    ledger: opts.ledger,
    intervalMs: opts.parkedSweepMs,
    onDeadLetter: opts.onDeadLetter,
  });
  let stopping = false;
  const processBatch = partitionBatchApplier({
    db,
    bus,
    log,
    ledger: opts.ledger,
    guard,
    gate,
    dependency: opts.dependency,
    maxAttempts: opts.maxAttempts ?? 4,
    stopping: () => stopping,
    onApplied: opts.onApplied,
    onDeadLetter: opts.onDeadLetter,
    onBatch: opts.onBatch,
  });

  const runBatch = async (batch: PartitionMessage[], stream: string) => {
    try {
      await processBatch(batch, stream);
    } catch (e) {
      if (e instanceof StreamChangedError) {
        for (const p of e.partitions) readers.stop(p);
        log.warn(
          { worker, partitions: e.partitions },
          "batch read from a transactions stream since made anew: dropped",
        );
      } else if (e instanceof LeaseLostError) {
        for (const p of e.partitions) leases.lost(p, "its lease was no longer this worker's when the batch committed");
      } else {
        log.error({ err: e }, "ledger batch failed; reading its partitions again from their positions");
        await new Promise((r) => setTimeout(r, 1_000));
      }
      // What was taken of the partitions still held is read again from their positions: nothing of
      // theirs may be applied before that, so what is queued of them goes too.
      for (const p of new Set(batch.map((m) => m.partition))) readers.stop(p);
      leases.balanceSoon();
    }
  };

  // Up to `concurrentBatches` batches at once, never two holding the same partition: a partition's next batch is
  // taken only once its previous one has committed (or failed and been dropped), so each stays in stream order. A
  // batch is two dozen round trips to Postgres and a commit, then the events' acknowledgements: with Postgres
  // across a network a worker spends most of a batch waiting, and a second batch of other partitions uses that time.
  const busy = new Set<number>();
  const inFlight = new Set<Promise<void>>();
  const loop = (async () => {
    while (!stopping) {
      if (inFlight.size >= concurrentBatches) {
        await Promise.race(inFlight);
        continue;
      }
      if (!readers.ready(busy)) {
        await readers.waitForMessages(250, 1, busy);
        continue;
      }
      if (lingerMs > 0) await readers.waitForMessages(lingerMs, lingerBatch, busy);
      const batch = readers.take(maxBatch, busy);
      if (!batch.length) continue; // its partitions were stopped meanwhile
      // Checked at its commit against the stream its partitions' positions count in then, which may be newer.
      const readFrom = leases.stream();
      const partitionsOf = new Set(batch.map((m) => m.partition));
      for (const p of partitionsOf) busy.add(p);
      const done: Promise<void> = runBatch(batch, readFrom)
        .catch((e) => log.error({ err: e }, "ledger batch failed"))
        .finally(() => {
          for (const p of partitionsOf) busy.delete(p);
          inFlight.delete(done);
          readers.recheck();
        });
      inFlight.add(done);
    }
    await Promise.all(inFlight);
  })();

  log.info({ worker, partitions, leaseMs }, "ledger worker started");
  return {
    durable: consumer,
    state: (): ConsumerState => gate.state(),
    held: () => readers.partitions(),
    backlog: () => readers.backlog(),
    async stop() {
      stopping = true;
      gate.close();
      const leasesStopped = leases.stop();
      stopSweep();
      await readers.close();
      await loop;
      await leasesStopped;
      await retireWorker(db, namespace, worker).catch((e) =>
        log.warn({ err: summarize(e) }, "partitions not given back; others take them when the leases run out"),
      );
    },
  };
}
