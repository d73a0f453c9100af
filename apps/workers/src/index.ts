import type { Analytics } from "@regulars/analytics";
import { type Bus, type Outcome, publishMany, type RunningConsumer, startBatchConsumer } from "@regulars/bus";
import { DomainEvent, EventMessage, TransactionMessage } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { Logger } from "@regulars/logger";
import { Counter, Histogram, type Registry } from "prom-client";
import { writeFactsBatch } from "./analytics/write-facts.ts";
import { resolveEventBatch } from "./events/resolve-events.ts";
import { type AppliedBatch, applyTransactionBatch } from "./ledger/apply-transactions.ts";
import { ProgrammeCache } from "./ledger/programmes.ts";

export type WorkerName = "ledger" | "events" | "analytics";
export const allWorkers: WorkerName[] = ["ledger", "events", "analytics"];

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
}

export interface RunningWorkers {
  stop(): Promise<void>;
}

export async function startWorkers(opts: WorkersOptions): Promise<RunningWorkers> {
  const enabled = new Set(opts.enabled ?? allWorkers);
  const { bus, db, log } = opts;
  const { streams, consumers, subjects } = bus.topology;
  const processed = new Counter({ name: "regulars_messages_processed_total", help: "Messages handled by a worker, by outcome", labelNames: ["consumer", "outcome"], registers: [opts.registry] });
  const batchSeconds = new Histogram({ name: "regulars_batch_seconds", help: "Time to handle one batch", labelNames: ["consumer"], registers: [opts.registry], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
  const common = { bus, log, maxBatch: opts.maxBatch, maxDeliver: opts.maxDeliver, backoffMs: opts.backoffMs };
  const observe = (consumer: string) => (s: { size: number; ms: number; failed: number }) => {
    processed.inc({ consumer, outcome: "done" }, s.size - s.failed);
    if (s.failed) processed.inc({ consumer, outcome: "failed" }, s.failed);
    batchSeconds.observe({ consumer }, s.ms / 1000);
  };
  const publishDomain = (events: { tenantId: string; type: string; id: string }[]) =>
    publishMany(bus.js, events.map((e) => ({ subject: subjects.domain(e.tenantId, e.type), payload: e, msgId: e.id })));

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
            singles.push({ outcomes: [{ kind: "retry", reason: (err as Error).message }], events: [] });
          }
        }
        return { outcomes: singles.flatMap((s) => s.outcomes), events: singles.flatMap((s) => s.events) };
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
          await publishDomain(applied.events);
          return applied.outcomes;
        },
        onBatch: observe(consumers.ledger),
      }),
    );
  }
  if (enabled.has("events")) {
    running.push(
      await startBatchConsumer({
        ...common,
        stream: streams.events,
        durable: consumers.eventResolver,
        schema: EventMessage,
        handle: async (items) => {
          const resolved = await resolveEventBatch(db, items);
          await publishDomain(resolved.events);
          return resolved.outcomes;
        },
        onBatch: observe(consumers.eventResolver),
      }),
    );
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
  log.info({ workers: [...enabled] }, "workers started");
  return {
    async stop() {
      await Promise.all(running.map((r) => r.stop()));
    },
  };
}
