import type { Analytics } from "@regulars/analytics";
import { createApiApp } from "@regulars/api";
import { type Bus, busIsReady } from "@regulars/bus";
import { createDb } from "@regulars/db";
import { resolveDataDir } from "@regulars/embedded";
import { createGatewayApp } from "@regulars/gateway";
import { registerHealthRoutes } from "@regulars/health";
import { KeyRateLimiter } from "@regulars/http-guards";
import { createMetricsRegistry, type Logger } from "@regulars/logger";
import { ensurePartitions } from "@regulars/ledger-store";
import { CredentialCache } from "@regulars/tenancy";
import { startWorkers } from "@regulars/workers";
import { Hono } from "hono";
import type { Role, ServerConfig } from "./config.ts";
import { type DemoTenant, ensureDemoTenant } from "./demo.ts";
import { connectDependencies } from "./dependencies.ts";
import { listen } from "./listen.ts";
import { removeServerRecord, tightenDataFiles, writeServerRecord } from "./server-record.ts";

export interface RunningSystem {
  roles: Role[];
  gatewayUrl: string | null;
  apiUrl: string | null;
  workersUrl: string | null;
  databaseUrl: string;
  natsUrl: string;
  demo: DemoTenant | null;
  /** The connections the roles share; exposed for diagnostics and end-to-end tests. */
  bus: Bus;
  analytics: Analytics | null;
  stop(): Promise<void>;
}

/** Starts the requested roles in this process over shared connections; the same code runs one role per process in production. */
export async function startSystem(config: ServerConfig, roles: Role[], log: Logger): Promise<RunningSystem> {
  const dataDir = resolveDataDir({ override: config.REGULARS_DATA_DIR });
  await tightenDataFiles(dataDir);
  const runsAnalytics = roles.includes("workers") && config.WORKERS.includes("analytics");
  const deps = await connectDependencies(config, dataDir, log, runsAnalytics);
  const db = createDb({ url: deps.databaseUrl, poolSize: config.DB_POOL_SIZE });
  const credentials = new CredentialCache(db, config.CREDENTIAL_CACHE_TTL_MS);
  const registry = createMetricsRegistry(roles.join("+"));
  // One bucket per key across the roles in this process.
  const rateLimiter = new KeyRateLimiter({
    pos: config.RATE_LIMIT_POS,
    kiosk: config.RATE_LIMIT_KIOSK,
    admin: config.RATE_LIMIT_ADMIN,
    analyst: config.RATE_LIMIT_ANALYST,
  });
  const checks = {
    nats: () => busIsReady(deps.bus),
    postgres: async () => (await db.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`).length === 1,
    ...(deps.analytics ? { clickhouse: () => deps.analytics!.ping() } : {}),
  };
  const stops: (() => Promise<void>)[] = [];
  // The gateway spreads transactions over the partitions the ledger workers apply: both must agree.
  if (roles.includes("gateway") || roles.includes("workers"))
    await ensurePartitions(db, deps.bus.topology.namespace, deps.bus.topology.partitions);
  const demoWanted = config.REGULARS_DEMO === "on" || (config.REGULARS_DEMO === "auto" && deps.embedded.postgres);
  const demo = demoWanted ? await ensureDemoTenant(db, dataDir) : null;

  let gatewayUrl: string | null = null;
  let apiUrl: string | null = null;
  let workersUrl: string | null = null;
  if (roles.includes("workers")) {
    const workers = await startWorkers({
      db,
      bus: deps.bus,
      analytics: deps.analytics ?? undefined,
      log: log.child({ role: "workers" }),
      registry,
      enabled: config.WORKERS,
      maxBatch: config.LEDGER_BATCH_SIZE,
      maxDeliver: config.MAX_DELIVER,
      jobsIntervalMs: config.JOBS_INTERVAL_MS,
      refundWaitMs: config.REFUND_WAIT_SECONDS * 1000,
      ledgerLeaseMs: config.LEDGER_LEASE_MS,
      pauseBackoffMs: (probe) => Math.min(500 * 2 ** (probe - 1), config.CONSUMER_PAUSE_MAX_MS),
    });
    stops.push(() => workers.stop());
    // Workers have no public API, but orchestrators still need health and metrics. Not ready while a
    // consumer is paused; the body says which one, waiting for which dependency, and why.
    const health = new Hono();
    const consumers = async () => {
      const states = workers.consumers();
      return { ok: states.every((c) => c.status === "running"), details: states };
    };
    registerHealthRoutes(health, { ...checks, consumers }, registry);
    const served = await listen(health.fetch, config.HOST, config.WORKERS_PORT);
    workersUrl = served.url;
    stops.push(served.close);
  }
  if (roles.includes("gateway")) {
    const app = createGatewayApp({
      bus: deps.bus,
      credentials,
      log: log.child({ role: "gateway" }),
      registry,
      readiness: checks,
      maxBodyBytes: config.MAX_BODY_BYTES,
      occurredAtWindow: {
        maxAgeDays: config.OCCURRED_AT_MAX_AGE_DAYS,
        maxAheadSeconds: config.OCCURRED_AT_MAX_AHEAD_SECONDS,
      },
      rateLimiter,
      db,
    });
    const served = await listen(app.fetch, config.HOST, config.GATEWAY_PORT);
    gatewayUrl = served.url;
    stops.push(app.stop); // runs after the server closed: the last receipts are written
    stops.push(served.close);
  }
  if (roles.includes("api")) {
    const app = createApiApp({
      db,
      credentials,
      log: log.child({ role: "api" }),
      registry,
      readiness: checks,
      corsOrigins: config.API_CORS_ORIGINS,
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxBatchSize: config.API_MAX_BATCH,
      rateLimiter,
    });
    const served = await listen(app.fetch, config.HOST, config.API_PORT);
    apiUrl = served.url;
    stops.push(served.close);
  }

  await writeServerRecord(dataDir, {
    roles,
    gatewayUrl,
    apiUrl,
    workersUrl,
    natsUrl: deps.natsUrl,
    namespace: config.REGULARS_NAMESPACE,
    demo,
  });
  return {
    roles,
    gatewayUrl,
    apiUrl,
    workersUrl,
    databaseUrl: deps.databaseUrl,
    natsUrl: deps.natsUrl,
    demo,
    bus: deps.bus,
    analytics: deps.analytics,
    async stop() {
      await removeServerRecord(dataDir); // tools stop targeting this process as soon as it is on its way out
      // Servers first (stop taking work), then workers (finish the batch in hand), then connections.
      for (const stop of stops.reverse()) await stop().catch((e) => log.warn({ err: e }, "shutdown step failed"));
      await db.$disconnect();
      await deps.stop();
    },
  };
}
