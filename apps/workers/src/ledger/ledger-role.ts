import type { Bus, ConsumerDependency, DeadLetterInfo } from "@regulars/bus";
import type { UnknownCodeLimit } from "@regulars/checkout-store";
import type { Db, TransactionRunner } from "@regulars/db";
import type { LedgerDeps, OutboxItem } from "@regulars/ledger-store";
import type { Logger } from "@regulars/logger";
import { startOutboxRelay } from "@regulars/outbox";
import { ProgrammeCache } from "@regulars/programme";
import type { createWorkerMetrics } from "../worker-metrics.ts";
import { type RunningLedger, startPartitionedLedger } from "./partitioned-ledger.ts";

export interface LedgerRoleOptions {
  db: Db;
  bus: Bus;
  log: Logger;
  metrics: ReturnType<typeof createWorkerMetrics>;
  /** Postgres as the ledger's dependency: an outage pauses the batch in hand. */
  postgres: ConsumerDependency;
  /** Publishes committed outbox items; a failure leaves them to the outbox relay. */
  publishCommitted: (items: OutboxItem[]) => Promise<unknown>;
  maxBatch?: number;
  leaseMs?: number;
  lingerMs?: number;
  concurrentBatches?: number;
  pauseBackoffMs?: (probe: number) => number;
  transactions?: TransactionRunner;
  refundWaitMs?: number;
  /**
   * Unknown coupon codes a key may be told of per window (COUPON_UNKNOWN_CODE_*): the ledger counts posted sales'
   * against it, and must judge a window's end as the gateway and the API do. The default when absent.
   */
  unknownCodeLimit?: UnknownCodeLimit;
  onDeadLetter?: (info: DeadLetterInfo) => Promise<void>;
}

/** What the ledger applies its batches with, from the role's options (with a programme cache of its own). */
export function ledgerDepsOf(
  opts: Pick<LedgerRoleOptions, "db" | "transactions" | "refundWaitMs" | "unknownCodeLimit">,
): LedgerDeps {
  return {
    db: opts.db,
    transactions: opts.transactions,
    programmes: new ProgrammeCache(opts.db),
    refundWaitMs: opts.refundWaitMs,
    unknownCodeLimit: opts.unknownCodeLimit,
  };
}

/**
 * The ledger worker as a process runs it: the partitioned ledger, its batches' domain events published in order
 * after each commit, the outbox relay for what a crash left unpublished, and the worker's metrics. Returns the
 * ledger and what runs beside it, to stop after it.
 */
export async function startLedgerRole(
  opts: LedgerRoleOptions,
): Promise<{ ledger: RunningLedger; beside: { stop(): Promise<void> }[] }> {
  const { db, bus, log, metrics } = opts;
  let publishing: Promise<unknown> = Promise.resolve();
  const ledger = await startPartitionedLedger({
    db,
    bus,
    log,
    dependency: opts.postgres,
    maxBatch: opts.maxBatch,
    leaseMs: opts.leaseMs,
    lingerMs: opts.lingerMs,
    concurrentBatches: opts.concurrentBatches,
    pauseBackoffMs: opts.pauseBackoffMs,
    ledger: ledgerDepsOf(opts),
    onDeadLetter: (info) => {
      metrics.deadLettered(info);
      void opts.onDeadLetter?.(info);
    },
    onApplied: async (applied, items) => {
      const now = Date.now();
      for (const [i, item] of items.entries())
        if (applied.outcomes[i]?.kind === "done") metrics.appliedAfter(item.receivedAt, now);
      // Published while the next batch applies, one batch's events at a time (in order): committed
      // already, they are the outbox relay's to publish should this process die first.
      // Chained, not replaced: with batches applied at once, each waits for the one before it.
      const before = publishing;
      publishing = before.then(() => opts.publishCommitted(applied.outbox));
      await before;
    },
    onBatch: metrics.observeBatch(bus.topology.consumers.ledger),
  });
  metrics.watchPartitions(() => ledger.held().length);
  const lastPublish = { stop: async () => void (await publishing) };
  return { ledger, beside: [startOutboxRelay({ db, bus, log, onDeadLetter: metrics.deadLettered }), lastPublish] };
}
