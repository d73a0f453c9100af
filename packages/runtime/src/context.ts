import type { Analytics } from "@regulars/analytics";
import { type Bus, busIsReady } from "@regulars/bus";
import { createDb, type Db } from "@regulars/db";
import { resolveDataDir } from "@regulars/embedded";
import { KeyRateLimiter } from "@regulars/http-guards";
import { ensurePartitions } from "@regulars/ledger-store";
import { createMetricsRegistry, type Logger } from "@regulars/logger";
import { CredentialCache } from "@regulars/tenancy";
import type { Registry } from "prom-client";
import type { Role, ServerConfig } from "./config.ts";
import { connectDependencies, type Dependencies } from "./dependencies.ts";
import { tightenDataFiles } from "./process-record.ts";

/** A readiness check by dependency name: true when it answers. */
export type ReadinessChecks = Record<string, () => Promise<boolean>>;

/** What every role of a process shares: its configuration, connections, caches, metrics and readiness checks. */
export interface RoleContext {
  config: ServerConfig;
  roles: Role[];
  log: Logger;
  dataDir: string;
  deps: Dependencies;
  db: Db;
  bus: Bus;
  analytics: Analytics | null;
  credentials: CredentialCache;
  /** One bucket per key across the roles of this process. */
  rateLimiter: KeyRateLimiter;
  registry: Registry;
  readiness: ReadinessChecks;
}

/**
 * Connects what the roles need (starting embedded services where no URL is given), brings the schemas up
 * to date and checks that this process agrees with the others on the ledger's partitions.
 */
export async function openRoleContext(
  config: ServerConfig,
  roles: Role[],
  log: Logger,
): Promise<RoleContext & { close(): Promise<void> }> {
  const dataDir = resolveDataDir({ override: config.REGULARS_DATA_DIR });
  await tightenDataFiles(dataDir);
  const runsWorker = (name: ServerConfig["WORKERS"][number]) =>
    roles.includes("workers") && config.WORKERS.includes(name);
  const runsAnalytics = runsWorker("analytics");
  // The API uses ClickHouse for analyst SQL, segments, the dashboard, campaign results and GDPR exports and
  // erasures: a server it connects to itself (without migrating, as the application's user, not a read-only
  // analyst login: docs/analyst-sql.md); the embedded engine belongs to the one process that writes it.
  const readsAnalytics = roles.includes("api") && config.CLICKHOUSE_URL !== undefined;
  // Scheduled jobs in a process of their own (segment refreshes, retention, erasures read and delete in
  // ClickHouse) connect to a server too; the analytics writer's process migrates it.
  const jobsApart = runsWorker("jobs") && !runsAnalytics;
  const jobsAnalytics = jobsApart && config.CLICKHOUSE_URL !== undefined;
  if (jobsApart && !jobsAnalytics)
    log.warn(
      "the scheduled jobs run without ClickHouse (embedded in the analytics writer's process): segment refreshes, " +
        "event retention and the ClickHouse part of erasures do nothing here; run jobs beside analytics or set CLICKHOUSE_URL",
    );
  const deps = await connectDependencies(
    config,
    dataDir,
    log,
    runsAnalytics || readsAnalytics || jobsAnalytics,
    runsAnalytics,
  );
  const db = createDb({ url: deps.databaseUrl, poolSize: config.DB_POOL_SIZE });
  try {
    // The gateway spreads transactions over the partitions the ledger workers apply: both must agree.
    if (roles.includes("gateway") || roles.includes("workers"))
      await ensurePartitions(db, deps.bus.topology.namespace, deps.bus.topology.partitions);
  } catch (e) {
    await db.$disconnect();
    await deps.stop();
    throw e;
  }
  return {
    config,
    roles,
    log,
    dataDir,
    deps,
    db,
    bus: deps.bus,
    analytics: deps.analytics,
    credentials: new CredentialCache(db, config.CREDENTIAL_CACHE_TTL_MS),
    rateLimiter: new KeyRateLimiter({
      pos: config.RATE_LIMIT_POS,
      kiosk: config.RATE_LIMIT_KIOSK,
      admin: config.RATE_LIMIT_ADMIN,
      analyst: config.RATE_LIMIT_ANALYST,
      app: config.RATE_LIMIT_APP,
    }),
    registry: createMetricsRegistry(roles.join("+")),
    readiness: {
      // The API serves every call without NATS (what it publishes waits in the outbox), and a supervisor that
      // health-checks it on /readyz would take the admin and kiosk down with NATS: only the roles that need it count it.
      ...(roles.includes("gateway") || roles.includes("workers") ? { nats: () => busIsReady(deps.bus) } : {}),
      postgres: async () => (await db.$queryRaw<{ ok: number }[]>`SELECT 1 AS ok`).length === 1,
      ...(deps.analytics && runsAnalytics ? { clickhouse: () => deps.analytics!.ping() } : {}),
    },
    async close() {
      await db.$disconnect();
      await deps.stop();
    },
  };
}

/** A role started in a process: where it listens, and how it stops. */
export interface StartedRole {
  url: string;
  /** Stops taking work and finishes what is in hand; connections are closed by the context afterwards. */
  stop(): Promise<void>;
}
