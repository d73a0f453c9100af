import { pauseBackoff } from "@regulars/bus";
import { createPgTransactionRunner } from "@regulars/db";
import { registerHealthRoutes } from "@regulars/health";
import { listen, messageTrackingOf, type RoleContext, type StartedRole } from "@regulars/runtime";
import { Hono } from "hono";
import { configuredProviders } from "./messages/configured-providers.ts";
import { startWorkers } from "./start-workers.ts";

/** The stream workers and scheduled jobs in a process, with the health and metrics endpoints orchestrators need. */
export async function startWorkersRole(ctx: RoleContext): Promise<StartedRole> {
  const { config } = ctx;
  const tracking = messageTrackingOf(config, ctx.dataDir);
  if (!tracking) ctx.log.warn("LINK_SIGNING_SECRETS is not set: messages go out with their links untracked");
  // The ledger's batches on a pg pool of their own: one connection per batch in flight, and one to spare.
  const ledgerTransactions = config.WORKERS.includes("ledger")
    ? createPgTransactionRunner({ url: ctx.deps.databaseUrl, poolSize: config.LEDGER_CONCURRENT_BATCHES + 1 })
    : undefined;
  const workers = await startWorkers({
    db: ctx.db,
    ledgerTransactions,
    bus: ctx.bus,
    analytics: ctx.analytics ?? undefined,
    log: ctx.log.child({ role: "workers" }),
    registry: ctx.registry,
    enabled: config.WORKERS,
    maxBatch: config.LEDGER_BATCH_SIZE,
    maxDeliver: config.MAX_DELIVER,
    jobsIntervalMs: config.JOBS_INTERVAL_MS,
    streamKeepReadMs: config.STREAM_KEEP_READ_DAYS * 24 * 60 * 60 * 1000,
    refundWaitMs: config.REFUND_WAIT_SECONDS * 1000,
    occurredAtMaxAgeDays: config.OCCURRED_AT_MAX_AGE_DAYS,
    unknownCodeLimit: {
      limit: config.COUPON_UNKNOWN_CODE_LIMIT,
      windowSeconds: config.COUPON_UNKNOWN_CODE_WINDOW_SECONDS,
    },
    ledgerLeaseMs: config.LEDGER_LEASE_MS,
    ledgerLingerMs: config.LEDGER_LINGER_MS,
    ledgerConcurrentBatches: config.LEDGER_CONCURRENT_BATCHES,
    pauseBackoffMs: pauseBackoff(config.CONSUMER_PAUSE_MAX_MS),
    webhooks: {
      concurrency: config.WEBHOOK_CONCURRENCY,
      perEndpoint: config.WEBHOOK_PER_ENDPOINT,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      urlPolicy: { allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_URLS },
    },
    messages: {
      ...(config.WORKERS.includes("messages")
        ? {
            providers: configuredProviders(config, ctx.db, { allowPrivateNetworks: config.WEBHOOK_ALLOW_PRIVATE_URLS }),
          }
        : {}),
      concurrency: config.MESSAGES_CONCURRENCY,
      sendTimeoutMs: config.MESSAGE_SEND_TIMEOUT_MS,
      tracking,
    },
  });
  // Not ready while a consumer is paused; the body says which one, waiting for which dependency, and why.
  const health = new Hono();
  const consumers = async () => {
    const states = workers.consumers();
    return { ok: states.every((c) => c.status === "running"), details: states };
  };
  registerHealthRoutes(health, { ...ctx.readiness, consumers }, ctx.registry);
  const served = await listen(health.fetch, config.HOST, config.WORKERS_PORT, "WORKERS_PORT").catch(async (e) => {
    await workers.stop();
    await ledgerTransactions?.close();
    throw e;
  });
  return {
    url: served.url,
    async stop() {
      await served.close();
      await workers.stop(); // finishes the batch in hand
      await ledgerTransactions?.close();
    },
  };
}
