import { type Analytics, createAnalytics } from "@regulars/analytics";
import { type Bus, connectBus, ensureTopology, keepTopology } from "@regulars/bus";
import { isDbUnreachable, migrateDatabase } from "@regulars/db";
import { startEmbeddedPostgres, startLocalNats } from "@regulars/embedded";
import type { Logger } from "@regulars/logger";
import { analyticsConfigOf, type ServerConfig } from "./config.ts";

export interface Dependencies {
  databaseUrl: string;
  natsUrl: string;
  bus: Bus;
  analytics: Analytics | null;
  embedded: { postgres: boolean; nats: boolean; clickhouse: boolean };
  stop(): Promise<void>;
}

/**
 * Connects to the configured services, or starts embedded ones where no URL is given, and brings
 * their schemas up to date (Postgres migrations, JetStream streams, ClickHouse migrations).
 */
export async function connectDependencies(
  config: ServerConfig,
  dataDir: string,
  log: Logger,
  needAnalytics: boolean,
  /** False where analytics is only read (the API's analyst SQL): no migrations, which a read-only user cannot run. */
  migrateAnalytics = needAnalytics,
): Promise<Dependencies> {
  const stops: (() => Promise<void>)[] = [];
  const embedLog = (msg: string, fields?: Record<string, unknown>) => log.info(fields ?? {}, msg);

  let databaseUrl = config.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_POSTGRES_PORT, log: embedLog });
    databaseUrl = pg.url;
    stops.push(() => pg.stop());
  }
  const pgUrl = databaseUrl;
  const migrations = await migrateDatabase(pgUrl, (m) => log.info(m)).catch((e: Error) => {
    // The driver says only "connect ECONNREFUSED 127.0.0.1:5432": that it is Postgres, and which, is what an
    // operator needs. A failing migration keeps its own words.
    if (!isDbUnreachable(e)) throw e;
    throw new Error(`Postgres at ${withoutCredentials(pgUrl)} is unreachable: ${e.message}`, { cause: e });
  });
  log.info({ applied: migrations.applied.length, upToDate: migrations.alreadyApplied.length }, "postgres schema ready");

  let natsUrl = config.NATS_URL;
  if (!natsUrl) {
    // Its own server and store: never one that merely answers on 4222, whose durable consumers another checkout may own.
    const nats = await startLocalNats({ dataDir, log: embedLog });
    natsUrl = nats.url;
    stops.push(() => nats.stop());
  }
  const bus = await connectBus({
    url: natsUrl,
    namespace: config.REGULARS_NAMESPACE,
    name: "regulars-server",
    partitions: config.LEDGER_PARTITIONS,
  });
  const topology = {
    ackWaitMs: config.ACK_WAIT_MS,
    duplicateWindowMs: config.DEDUPE_WINDOW_SECONDS * 1000,
    replicas: config.NATS_REPLICAS,
  };
  await ensureTopology(bus, topology);
  stops.push(() => bus.close());
  // A server back without its store gets the streams and consumers again without a restart of every process.
  const keeper = keepTopology(bus, topology, { log });
  stops.push(() => keeper.stop());

  let analytics: Analytics | null = null;
  if (needAnalytics) {
    analytics = await createAnalytics(analyticsConfigOf(config, dataDir));
    if (migrateAnalytics) {
      const applied = await analytics.migrate();
      log.info({ applied: applied.applied }, "clickhouse schema ready");
    }
    const a = analytics;
    stops.push(() => a.close());
  }

  return {
    databaseUrl,
    natsUrl,
    bus,
    analytics,
    embedded: {
      postgres: !config.DATABASE_URL,
      nats: !config.NATS_URL,
      clickhouse: needAnalytics && !config.CLICKHOUSE_URL,
    },
    async stop() {
      for (const stop of stops.reverse()) await stop().catch((e) => log.warn({ err: e }, "shutdown step failed"));
    },
  };
}

/** A connection URL as it may be printed: without user and password (or anything after the database's name). */
function withoutCredentials(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
