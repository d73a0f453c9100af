import type { Analytics } from "@regulars/analytics";
import { type Bus, type Outcome, type RunningConsumer, startBatchConsumer } from "@regulars/bus";
import { DomainEvent, EventMessage, TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { Logger } from "@regulars/logger";
import { Counter, Histogram, type Registry } from "prom-client";
import { writeFactsBatch } from "./analytics/write-facts.ts";
import { resolveEventBatch } from "./events/resolve-events.ts";
import { type AppliedBatch, applyTransactionBatch } from "./ledger/apply-transactions.ts";
import { ProgrammeCache } from "./ledger/programmes.ts";
import { startScheduler } from "./jobs/scheduler.ts";
import { publishOutbox, startOutboxRelay } from "./outbox/publish-outbox.ts";

export type WorkerName = "ledger" | "events" | "analytics" | "jobs";
export const allWorkers: WorkerName[] = ["ledger", "events", "analytics", "jobs"];

export interface WorkersOptions {
  db: Db;
  bus: Bus;
  /** Required when the analytics writer runs. */
  analytics?: Analytics;
  log: Logger;
  registry: Registry;
  enabled?: WorkerName[];
  maxBatch?: number;
  maxDeliver?: number;
  backoffMs?: (deliveryCount: number) => number;
  /** How often scheduled jobs (pending release, expiry, notices, tier downgrades) run. */
  jobsIntervalMs?: number;
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

export async function startWorkers(opts: WorkersOptions): Promise<RunningWorkers> {
  const enabled = new Set(opts.enabled ?? allWorkers);
  const { bus, db, log } = opts;
  const { streams, consumers } = bus.topology;
  const processed = new Counter({ name: "regulars_messages_processed_total", help: "Messages handled by a worker, by outcome", labelNames: ["consumer", "outcome"], registers: [opts.registry] });
  const batchSeconds = new Histogram({ name: "regulars_batch_seconds", help: "Time to handle one batch", labelNames: ["consumer"], registers: [opts.registry], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
  const common = { bus, log, maxBatch: opts.maxBatch, maxDeliver: opts.maxDeliver, backoffMs: opts.backoffMs };
  const observe = (consumer: string) => (s: { size: number; ms: number; failed: number }) => {
    processed.inc({ consumer, outcome: "done" }, s.size - s.failed);
    if (s.failed) processed.inc({ consumer, outcome: "failed" }, s.failed);
    batchSeconds.observe({ consumer }, s.ms / 1000);
  };

  const running: RunningConsumer[] = [];
  if (enabled.has("ledger")) {
    const programmes = new ProgrammeCache(db);
    const applyIsolating = async (items: TransactionMessage[]): Promise<AppliedBatch> => {
      try {
        return await applyTransactionBatch({ db, programmes }, items);
      } catch (e) {
        if (items.length === 1) throw e;
        // One bad message must not hold back the rest: apply each alone so only it is retried.
        log.warn({ err: e, size: items.length }, "ledger batch failed; applying messages one by one");
        // In order, one at a time: the messages of one customer must still apply in stream order.
        const singles: AppliedBatch[] = [];
        for (const item of items) {
          try {
            singles.push(await applyTransactionBatch({ db, programmes }, [item]));
          } catch (err) {
            singles.push({ outcomes: [{ kind: "retry", reason: (err as Error).message }], outbox: [] });
          }
        }
        return { outcomes: singles.flatMap((s) => s.outcomes), outbox: singles.flatMap((s) => s.outbox) };
      }
    };
    running.push(
      await startBatchConsumer({
        ...common,
        stream: streams.transactions,
        durable: consumers.ledger,
        schema: TransactionMessage,
        handle: async (items): Promise<Outcome[]> => {
          const applied = await applyIsolating(items);
          // Committed already: if publishing fails now, the outbox relay publishes later.
          await publishOutbox(db, bus, applied.outbox).catch((e) => log.warn({ err: e }, "publishing domain events failed; the outbox relay will retry"));
          return applied.outcomes;
        },
        onBatch: observe(consumers.ledger),
      }),
    );
    running.push(startOutboxRelay({ db, bus, log }));
  }
  if (enabled.has("events")) {
    const programmes = new ProgrammeCache(db);
    running.push(
      await startBatchConsumer({
        ...common,
        stream: streams.events,
        durable: consumers.eventResolver,
        schema: EventMessage,
        handle: async (items) => {
          const resolved = await resolveEventBatch(db, programmes, items);
          await publishOutbox(db, bus, resolved.outbox).catch((e) => log.warn({ err: e }, "publishing domain events failed; the outbox relay will retry"));
          return resolved.outcomes;
        },
        onBatch: observe(consumers.eventResolver),
      }),
    );
    if (!enabled.has("ledger")) running.push(startOutboxRelay({ db, bus, log }));
  }
  if (enabled.has("analytics")) {
    const analytics = opts.analytics;
    if (!analytics) throw new Error("the analytics writer needs a ClickHouse connection");
    running.push(
      await startBatchConsumer({
        ...common,
        maxBatch: Math.max(opts.maxBatch ?? 0, 2_000),
        stream: streams.domain,
        durable: consumers.analyticsWriter,
        schema: DomainEvent,
        handle: (items) => writeFactsBatch(analytics, items),
        onBatch: observe(consumers.analyticsWriter),
      }),
    );
  }
  if (enabled.has("jobs")) {
    running.push(startScheduler({ db, bus, log, programmes: new ProgrammeCache(db), intervalMs: opts.jobsIntervalMs ?? 60_000, registry: opts.registry }));
  }
  log.info({ workers: [...enabled] }, "workers started");
  return {
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
    },
  };
}

export { runScheduledJobs, pruneOutbox } from "./jobs/scheduler.ts";
export { ProgrammeCache } from "./ledger/programmes.ts";
