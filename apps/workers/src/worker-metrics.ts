import { type Bus, consumerCounts, type DeadLetterInfo, type RunningConsumer } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { outboxBacklog as readOutboxBacklog } from "@regulars/ledger-store";
import { countDeadLetters } from "@regulars/logger";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/**
 * What an SRE watches on the workers: throughput and batch time per consumer, backlog and in-flight
 * messages per durable, dead letters by reason category, paused consumers, the outbox backlog, each stream's
 * size and oldest message, and how long a posted transaction takes to be applied. Backlogs are sampled every few seconds rather than
 * read at scrape time, so /metrics answers at once even while NATS or Postgres is down.
 */
export function createWorkerMetrics(registry: Registry, consumers: () => RunningConsumer[]) {
  const processed = new Counter({
    name: "regulars_messages_processed_total",
    help: "Messages handled by a worker, by outcome",
    labelNames: ["consumer", "outcome"],
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: "regulars_batch_seconds",
    help: "Time to handle one batch",
    labelNames: ["consumer"],
    registers: [registry],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  });
  // Shared with the gateway's and the API's outbox flushers when the roles share a process: made by whoever starts first.
  const deadLetters = countDeadLetters(registry);
  const pending = new Gauge({
    name: "regulars_consumer_pending",
    help: "Messages in the stream not yet delivered to the durable consumer",
    labelNames: ["consumer"],
    registers: [registry],
  });
  const ackPending = new Gauge({
    name: "regulars_consumer_ack_pending",
    help: "Messages delivered to the durable consumer and not yet acknowledged",
    labelNames: ["consumer"],
    registers: [registry],
  });
  new Gauge({
    name: "regulars_consumer_paused",
    help: "1 while a consumer is paused because its dependency is down (why: /readyz)",
    labelNames: ["consumer"],
    registers: [registry],
    collect() {
      for (const c of consumers()) this.set({ consumer: c.durable }, c.state().status === "paused" ? 1 : 0);
    },
  });
  let heldPartitions: () => number = () => 0;
  new Gauge({
    name: "regulars_ledger_partitions_held",
    help: "Ledger partitions this worker holds the lease of and applies",
    registers: [registry],
    collect() {
      this.set(heldPartitions());
    },
  });
  const outboxBacklog = new Gauge({
    name: "regulars_outbox_backlog",
    help: "Domain events committed to the outbox and not yet published",
    registers: [registry],
  });
  // The streams keep what a reader has not read however old (see retention.ts): they grow while one is stopped.
  const streamBytes = new Gauge({
    name: "regulars_stream_bytes",
    help: "Bytes a JetStream stream holds",
    labelNames: ["stream"],
    registers: [registry],
  });
  const streamMessages = new Gauge({
    name: "regulars_stream_messages",
    help: "Messages a JetStream stream holds",
    labelNames: ["stream"],
    registers: [registry],
  });
  const streamOldest = new Gauge({
    name: "regulars_stream_oldest_seconds",
    help: "Age of the oldest message a JetStream stream holds (about the keep window while every reader keeps up)",
    labelNames: ["stream"],
    registers: [registry],
  });
  const applied = new Histogram({
    name: "regulars_transaction_applied_seconds",
    help: "From the gateway accepting a transaction to the ledger committing it",
    registers: [registry],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200],
  });

  return {
    observeBatch: (consumer: string) => (s: { size: number; ms: number; failed: number }) => {
      processed.inc({ consumer, outcome: "done" }, s.size - s.failed);
      if (s.failed) processed.inc({ consumer, outcome: "failed" }, s.failed);
      batchSeconds.observe({ consumer }, s.ms / 1000);
    },
    /** Where the partitions this worker holds are counted from. */
    watchPartitions: (count: () => number) => {
      heldPartitions = count;
    },
    deadLettered: (info: DeadLetterInfo) => deadLetters(info),
    appliedAfter: (receivedAt: string, now = Date.now()) =>
      applied.observe(Math.max(0, (now - Date.parse(receivedAt)) / 1000)),

    /** Samples backlogs and states until stopped. */
    startSampling(opts: {
      bus: Bus;
      db: Db | null;
      /** Durable consumers are asked for their counts; the ledger (no durable) says its backlog itself. */
      consumers: { stream: string; running: RunningConsumer; backlog?: () => number }[];
      everyMs?: number;
    }) {
      const sample = async () => {
        for (const { stream, running, backlog } of opts.consumers) {
          if (backlog) {
            // The ledger acknowledges nothing: its partitions' positions move with its commits.
            pending.set({ consumer: running.durable }, backlog());
            ackPending.set({ consumer: running.durable }, 0);
            continue;
          }
          const counts = await consumerCounts(opts.bus, stream, running.durable).catch(() => null);
          if (counts) {
            pending.set({ consumer: running.durable }, counts.pending);
            ackPending.set({ consumer: running.durable }, counts.ackPending);
          }
        }
        for (const stream of Object.values(opts.bus.topology.streams)) {
          const info = await opts.bus.jsm.streams.info(stream).catch(() => null);
          if (!info) continue;
          const { bytes, messages, first_ts } = info.state;
          streamBytes.set({ stream }, bytes);
          streamMessages.set({ stream }, messages);
          streamOldest.set({ stream }, messages ? Math.max(0, (Date.now() - Date.parse(first_ts)) / 1000) : 0);
        }
        if (opts.db) {
          const backlog = await readOutboxBacklog(opts.db).catch(() => null);
          if (backlog !== null) outboxBacklog.set(backlog);
        }
      };
      let running = sample();
      const timer = setInterval(() => {
        running = running.then(sample, sample);
      }, opts.everyMs ?? 5_000);
      timer.unref();
      return {
        async stop() {
          clearInterval(timer);
          await running.catch(() => undefined);
        },
      };
    },
  };
}
