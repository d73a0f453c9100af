import { type Analytics, isClickHouseServerStateError, isTransientClickHouseError } from "@regulars/analytics";
import {
  type ConsumerDependency,
  type ConsumerState,
  type DeadLetterInfo,
  type Outcome,
  type RunningConsumer,
  startBatchConsumer,
} from "@regulars/bus";
import { DomainEvent, EventMessage } from "@regulars/contracts";
import { isServerStateDbError, isTransientDbError } from "@regulars/db";
import { applyEventBatch, ledgerDefaults, recordDeadLetteredEvent } from "@regulars/ledger-store";
import { publishOutbox, startOutboxRelay } from "@regulars/outbox";
import { ProgrammeCache } from "@regulars/programme";
import { tenantFrequencyCaps } from "@regulars/tenancy";
import type { z } from "zod";
import { writeFactsBatch } from "./analytics/write-facts.ts";
import { LoyaltyEventMessage, writeLoyaltyEventsBatch } from "./analytics/write-loyalty-events.ts";
import { startCampaignWorker } from "./campaigns/campaign-worker.ts";
import { startScheduler } from "./jobs/scheduler.ts";
import { startLedgerRole } from "./ledger/ledger-role.ts";
import { campaignMessageQueue, campaignMessagesQueue } from "./messages/campaign-queue.ts";
import { startMessages } from "./messages/start-messages.ts";
import { ProfileTransactionMessage, writeProfileOrdersBatch } from "./profiles/write-profile-orders.ts";
import { CustomerSnapshotMessage, writeCustomerSnapshotsBatch } from "./segments/write-customer-snapshots.ts";
import { TenantCapsCache } from "./tenant-caps-cache.ts";
import { fanOutBatch, WebhookFanOutMessage } from "./webhooks/fan-out.ts";
import { createWebhookSender } from "./webhooks/webhook-sender.ts";
import { createWorkerMetrics } from "./worker-metrics.ts";
import { allWorkers, type WorkersOptions } from "./workers-options.ts";

export interface RunningWorkers {
  /** Each stream consumer's state: running, or paused with the dependency and the reason. */
  consumers(): ConsumerState[];
  stop(): Promise<void>;
}

export async function startWorkers(opts: WorkersOptions): Promise<RunningWorkers> {
  const enabled = new Set(opts.enabled ?? allWorkers);
  const { bus, db, log } = opts;
  const { streams, consumers } = bus.topology;
  const running: { stream: string; running: RunningConsumer; backlog?: () => number }[] = [];
  const others: { stop(): Promise<void> }[] = [];
  const metrics = createWorkerMetrics(opts.registry, () => running.map((r) => r.running));
  // The tenants' own caps, for every campaign beside its own: one cache for the process (a change applies within 30 s).
  const tenantCaps = new TenantCapsCache((tenantId) => tenantFrequencyCaps(db, tenantId)).read;
  const common = {
    bus,
    log,
    maxBatch: opts.maxBatch,
    maxDeliver: opts.maxDeliver,
    backoffMs: opts.backoffMs,
    pauseBackoffMs: opts.pauseBackoffMs,
    async onDeadLetter(info: DeadLetterInfo) {
      await opts.onDeadLetter?.(info);
      metrics.deadLettered(info);
    },
  };
  // SELECT 1 and /ping answer while a server refuses writes (a read-only node after a failover, Keeper away,
  // too many parts): such refusals pause the consumer by themselves and the retried batch is their probe.
  const postgres: ConsumerDependency = {
    name: "postgres",
    isTransient: isTransientDbError,
    isServerState: isServerStateDbError,
    probe: async () => (await db.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`).length === 1,
  };
  /** The ClickHouse writers read Postgres and insert into ClickHouse: both must answer for a batch. */
  const postgresAndClickhouse = (analytics: Analytics): ConsumerDependency => ({
    name: "postgres+clickhouse",
    isTransient: (e) => isTransientDbError(e) || isTransientClickHouseError(e),
    isServerState: (e) => isServerStateDbError(e) || isClickHouseServerStateError(e),
    probe: async () => (await postgres.probe()) && (await analytics.ping()),
  });
  /** An event NATS refuses for good is dead-lettered by whichever outbox publisher meets it, and counted. */
  const outboxSink = { log, onDeadLetter: metrics.deadLettered };
  const publishCommitted = (items: Parameters<typeof publishOutbox>[2]) =>
    // Committed already: if publishing fails now, the outbox relay publishes later.
    publishOutbox(db, bus, items, outboxSink).catch((e) =>
      log.warn({ err: e }, "publishing domain events failed; the outbox relay will retry"),
    );

  if (enabled.has("ledger")) {
    const { ledger, beside } = await startLedgerRole({
      db,
      bus,
      log,
      metrics,
      postgres,
      publishCommitted,
      maxBatch: opts.maxBatch,
      leaseMs: opts.ledgerLeaseMs,
      lingerMs: opts.ledgerLingerMs,
      concurrentBatches: opts.ledgerConcurrentBatches,
      pauseBackoffMs: opts.pauseBackoffMs,
      transactions: opts.ledgerTransactions,
      refundWaitMs: opts.refundWaitMs,
      unknownCodeLimit: opts.unknownCodeLimit,
      onDeadLetter: opts.onDeadLetter,
    });
    running.push({ stream: streams.transactions, running: ledger, backlog: () => ledger.backlog() });
    others.push(...beside);
  }
  if (enabled.has("events")) {
    const programmes = new ProgrammeCache(db);
    const consumer = await startBatchConsumer({
      ...common,
      stream: streams.events,
      durable: consumers.eventResolver,
      schema: EventMessage,
      dependency: postgres,
      // Recorded as rejected before it is dead-lettered: its status then tells the integrator why.
      async onDeadLetter(info: DeadLetterInfo) {
        await recordDeadLetteredEvent(db, info);
        await common.onDeadLetter(info);
      },
      handle: async (items) => {
        const resolved = await applyEventBatch(db, programmes, items);
        await publishCommitted(resolved.outbox);
        return resolved.outcomes;
      },
      onBatch: metrics.observeBatch(consumers.eventResolver),
    });
    running.push({ stream: streams.events, running: consumer });
    if (!enabled.has("ledger")) others.push(startOutboxRelay({ db, bus, ...outboxSink }));
  }
  /** A durable of its own on the domain stream: its position, backlog and retries are nobody else's. */
  const startDomainWriter = async <T>(
    durable: string,
    schema: z.ZodType<T>,
    dependency: ConsumerDependency,
    handle: (items: T[]) => Promise<Outcome[]>,
    maxBatch: number,
  ) => {
    const consumer = await startBatchConsumer({
      ...common,
      maxBatch: Math.max(opts.maxBatch ?? 0, maxBatch),
      stream: streams.domain,
      durable,
      schema,
      dependency,
      handle,
      onBatch: metrics.observeBatch(durable),
    });
    running.push({ stream: streams.domain, running: consumer });
  };
  if (enabled.has("analytics")) {
    const analytics = opts.analytics;
    if (!analytics) throw new Error("the analytics writer needs a ClickHouse connection");
    // Transactions and behaviour in one durable, loyalty events in another, customers' attributes in a third:
    // a backlog or a retried message of one never holds up the others. Each reads Postgres too: facts go to the
    // customer who holds them now (customer_merges), a merge's survivor.
    const dependency = postgresAndClickhouse(analytics);
    await startDomainWriter(
      consumers.analyticsWriter,
      DomainEvent,
      dependency,
      (items) => writeFactsBatch(db, analytics, items),
      2_000,
    );
    await startDomainWriter(
      consumers.loyaltyEventsWriter,
      LoyaltyEventMessage,
      dependency,
      (items) => writeLoyaltyEventsBatch(db, analytics, items),
      2_000,
    );
    // Customers' attributes from Postgres into ClickHouse for segments.
    await startDomainWriter(
      consumers.customerSnapshotWriter,
      CustomerSnapshotMessage,
      dependency,
      (items) => writeCustomerSnapshotsBatch(db, analytics, items),
      2_000,
    );
  }
  if (enabled.has("profiles")) {
    // Behavioural profile facts in Postgres, a durable of its own. With ClickHouse it also writes the customers'
    // snapshots after recording their sales (segments' sale totals come from these facts), so a ClickHouse
    // outage then pauses it too: a fact recorded without its snapshot would leave the totals behind.
    const analytics = opts.analytics ?? null;
    await startDomainWriter(
      consumers.profileWriter,
      ProfileTransactionMessage,
      analytics ? postgresAndClickhouse(analytics) : postgres,
      (items) => writeProfileOrdersBatch(db, items, analytics),
      1_000,
    );
  }
  if (enabled.has("webhooks")) {
    // The consumer only enqueues (one insert per batch); the sender sends beside it, so no receiver, however
    // slow, holds up the stream.
    const sender = createWebhookSender({ ...opts.webhooks, db, log, registry: opts.registry });
    await startDomainWriter(
      consumers.webhookFanout,
      WebhookFanOutMessage,
      postgres,
      (items) => fanOutBatch(db, items, () => sender.wake()),
      1_000,
    );
    sender.start();
    others.push(sender);
  }
  if (enabled.has("messages"))
    others.push(
      startMessages({
        ...opts.messages,
        tenantCaps: opts.messages?.tenantCaps ?? tenantCaps,
        db,
        log,
        registry: opts.registry,
        publish: publishCommitted,
      }),
    );
  if (enabled.has("campaigns")) {
    // Triggers only plan (enrolments and steps, one transaction per match); the executor beside them runs due steps.
    const campaigns = startCampaignWorker({
      queueMessage: campaignMessageQueue(db, opts.messages?.tracking),
      queueMessages: campaignMessagesQueue(db, opts.messages?.tracking),
      ...opts.campaigns,
      tenantCaps: opts.campaigns?.tenantCaps ?? tenantCaps,
      db,
      log,
      publish: publishCommitted,
    });
    await startDomainWriter(consumers.campaignTriggers, campaigns.schema, postgres, campaigns.handle, 200);
    campaigns.executor.start();
    others.push(campaigns.executor);
  }
  if (enabled.has("jobs")) {
    others.push(
      startScheduler({
        db,
        bus,
        log,
        programmes: new ProgrammeCache(db),
        intervalMs: opts.jobsIntervalMs ?? ledgerDefaults.jobsIntervalMs,
        ...(opts.streamKeepReadMs ? { streamKeepReadMs: opts.streamKeepReadMs } : {}),
        ...(opts.occurredAtMaxAgeDays ? { occurredAtMaxAgeDays: opts.occurredAtMaxAgeDays } : {}),
        registry: opts.registry,
        analytics: opts.analytics,
        queueMessages: campaignMessagesQueue(db, opts.messages?.tracking),
        tenantCaps: opts.campaigns?.tenantCaps ?? tenantCaps,
      }),
    );
  }
  const sampling = metrics.startSampling({
    bus,
    db: enabled.has("ledger") || enabled.has("events") ? db : null,
    consumers: running,
  });
  log.info({ workers: [...enabled] }, "workers started");
  return {
    consumers: () => running.map((r) => r.running.state()),
    async stop() {
      await sampling.stop();
      // Consumers first (finishing the batch in hand), then what runs beside them (its last publish, the relay, jobs).
      await Promise.all(running.map((r) => r.running.stop()));
      await Promise.all(others.map((o) => o.stop()));
    },
  };
}
