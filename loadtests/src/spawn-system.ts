import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, migrateDatabase } from "@regulars/db";
import { startEmbeddedPostgres, startLocalNats } from "@regulars/embedded";
import { createDemoTenant } from "@regulars/tenancy";
import { type NatsCluster, startNatsCluster } from "@regulars/testing/nats-cluster";
import pg from "pg";
import { z } from "zod";
import { type BenchChild, roleNodeFlags, spawnNodeChild, untilReady } from "./child-process.ts";
import { findRepoRoot } from "./config.ts";
import { findListeningPid, findNatsServerPid } from "./rss.ts";

/**
 * A whole system started by the bench itself, one role per process as in production (each app's own main):
 * the gateway alone in its process, N ledger worker processes, optionally the tRPC API; over a fresh
 * database and a nats-server of its own, all removed again by `stop()`. Nothing of a running system
 * (`npm start`) is touched.
 */
export interface SpawnedSystem {
  gatewayUrl: string;
  apiUrl: string | null;
  natsUrl: string;
  /** The cluster's nodes when the bench started a NATS cluster (`natsCluster`), else null. */
  natsNodes: { name: string; url: string }[] | null;
  namespace: string;
  databaseUrl: string;
  tenantId: string;
  keys: { pos: string; admin: string };
  gateway: BenchChild;
  /** The ledger workers running now (`startLedgerWorkers` adds more). */
  workers: BenchChild[];
  api: BenchChild | null;
  /** Starts `count` more ledger worker processes (`--role workers`, WORKERS=ledger), one after another. */
  startLedgerWorkers(count: number, nodeFlags?: string[]): Promise<BenchChild[]>;
  /** Each ledger worker's `/metrics`, in start order (the list grows as workers start). */
  ledgerMetricsUrls: readonly string[];
  /** Starts one workers process running the given workers (`WORKERS`), with extra environment and Node flags. */
  startWorkersProcess(
    name: string,
    workers: string,
    env?: Record<string, string>,
    nodeFlags?: string[],
  ): Promise<BenchChild>;
  /** Where the processes' logs are, kept when the bench fails so they can be read. */
  dataDir: string;
  stop(opts?: { keepLogs?: boolean }): Promise<void>;
}

export interface SpawnSystemOptions {
  ledgerWorkers: number;
  api: boolean;
  /** Node flags for the gateway process only (`--cpu-prof`). */
  gatewayNodeFlags?: string[];
  /** Environment for every role on top of the bench's settings (e.g. LEDGER_BATCH_SIZE). */
  env?: Record<string, string>;
  /** A Postgres server (any database on it) to create the bench's database on; see `spawnSystem`. */
  postgresUrl?: string;
  /** A NATS server to use instead of one of the bench's own. */
  natsUrl?: string;
  /**
   * Start a NATS cluster of this many nodes on loopback instead of one nats-server, its streams with three
   * replicas (as in production; fewer on a smaller cluster).
   */
  natsCluster?: number;
  log: (line: string) => void;
}

/** The spawned system's nats-server processes for CPU and RSS: `nats-1`, `nats-2`, … of a cluster, else the one. */
export function natsProcesses(system: Pick<SpawnedSystem, "natsUrl" | "natsNodes">): { name: string; pid: number }[] {
  if (!system.natsNodes) {
    const pid = findNatsServerPid(system.natsUrl);
    return pid === null ? [] : [{ name: "nats-server", pid }];
  }
  // A cluster's nodes read their ports from config files: each is found by the port it listens on.
  return system.natsNodes.flatMap((node, i) => {
    const pid = findListeningPid(Number(new URL(node.url).port));
    return pid === null ? [] : [{ name: `nats-${i + 1}`, pid }];
  });
}

/** ", a JetStream cluster of 3 nodes (streams with 3 replicas)" for a system on a cluster, else nothing. */
export function natsDescription(system: Pick<SpawnedSystem, "natsNodes">): string {
  const n = system.natsNodes?.length;
  return n ? `, a JetStream cluster of ${n} nodes (streams with ${Math.min(3, n)} replicas)` : "";
}

const localPostgres = "postgresql://postgres@127.0.0.1:5432/postgres";

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const answers = (url: string) =>
  withClient(url, (c) => c.query("SELECT 1")).then(
    () => true,
    () => false,
  );

const RoleRecord = z.object({
  gatewayUrl: z.string().nullable(),
  apiUrl: z.string().nullable(),
  workersUrl: z.string().nullable().optional(),
});

/** The URLs a role process writes to `<its data dir>/server.json` once it serves. */
function readRecord(dataDir: string) {
  const file = join(dataDir, "server.json");
  if (!existsSync(file)) return undefined;
  try {
    return RoleRecord.parse(JSON.parse(readFileSync(file, "utf8")));
  } catch {
    return undefined; // being written
  }
}

/**
 * Postgres: DATABASE_URL's server, else the one on 127.0.0.1:5432, else an embedded one in the bench's
 * folder (as the test setup does); NATS: NATS_URL, else a nats-server of the bench's own.
 */
export async function spawnSystem(opts: SpawnSystemOptions): Promise<SpawnedSystem> {
  const root = findRepoRoot();
  const dataDir = mkdtempSync(join(tmpdir(), "regulars-bench-"));
  const cleanups: (() => Promise<void>)[] = [];
  const children: BenchChild[] = [];
  const stop = async (keepLogs = false) => {
    // Gateway first (no new work), then the API, then the workers finish their batches, then the services.
    const order = (c: BenchChild) => (c.name === "gateway" ? 0 : c.name === "api" ? 1 : 2);
    for (const child of [...children].sort((a, b) => order(a) - order(b))) await child.stop().catch(() => {});
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    if (!keepLogs) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const givenPostgres = opts.postgresUrl ?? process.env.DATABASE_URL;
    let serverUrl = givenPostgres ?? localPostgres;
    if (!givenPostgres && !(await answers(serverUrl))) {
      opts.log("starting an embedded Postgres for the bench");
      const embedded = await startEmbeddedPostgres({
        dataDir: join(dataDir, "postgres"),
        port: 54900 + Math.floor(Math.random() * 90),
      });
      serverUrl = embedded.url;
      cleanups.push(() => embedded.stop());
    }
    const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const dbName = `regulars_bench_${suffix}`;
    await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
    cleanups.push(() =>
      withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).then(() => undefined),
    );
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    const databaseUrl = url.toString();
    await migrateDatabase(databaseUrl);

    let natsUrl = opts.natsUrl ?? process.env.NATS_URL;
    let cluster: NatsCluster | null = null;
    if (opts.natsCluster) {
      opts.log(`starting a NATS cluster of ${opts.natsCluster} nodes`);
      const started = await startNatsCluster({ size: opts.natsCluster });
      cleanups.push(() => started.dispose());
      cluster = started;
      natsUrl = started.url;
    } else if (!natsUrl) {
      const nats = await startLocalNats({ dataDir: join(dataDir, "nats") });
      natsUrl = nats.url;
      cleanups.push(() => nats.stop());
    }
    const namespace = `bench_${suffix}`;
    const { tenantId, keys } = await createBenchTenant(databaseUrl);

    const env = {
      DATABASE_URL: databaseUrl,
      NATS_URL: natsUrl,
      REGULARS_NAMESPACE: namespace,
      REGULARS_DEMO: "off",
      GATEWAY_PORT: "0",
      API_PORT: "0",
      WORKERS_PORT: "0",
      // One key posts far faster than any till; the bench measures throughput, not the limiter.
      RATE_LIMIT_POS: "off",
      RATE_LIMIT_ADMIN: "off",
      API_MAX_BATCH: "100",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      ...(cluster ? { NATS_REPLICAS: String(Math.min(3, cluster.nodes.length)) } : {}),
      ...opts.env,
    };
    /** Each role from its app's own entry point (`apps/<app>/src/main.ts`), as a deployment runs it. */
    const start = async (name: string, app: string, extra: Record<string, string>, nodeFlags: string[] = []) => {
      const dir = join(dataDir, name);
      mkdirSync(dir);
      const child = spawnNodeChild({
        name,
        args: ["--import", "tsx", ...roleNodeFlags, ...nodeFlags, "src/main.ts"],
        cwd: join(root, "apps", app),
        env: { ...env, ...extra, REGULARS_DATA_DIR: dir },
        logFile: join(dataDir, `${name}.log`),
      });
      children.push(child);
      const record = await untilReady(child, "serving", () => readRecord(dir));
      opts.log(`${name} started (pid ${child.pid})`);
      return { child, record };
    };

    // One at a time: the first runs the migrations check and creates the streams, the rest find them.
    const gateway = await start("gateway", "gateway", {}, opts.gatewayNodeFlags);
    const workers: BenchChild[] = [];
    const ledgerMetricsUrls: string[] = [];
    const startLedgerWorkers = async (count: number, nodeFlags: string[] = []) => {
      const started: BenchChild[] = [];
      for (let i = 0; i < count; i++) {
        const name = `ledger-${workers.length + started.length + 1}`;
        const { child, record } = await start(name, "workers", { WORKERS: "ledger" }, nodeFlags);
        if (!record.workersUrl) throw new Error(`${name} serves no health and metrics endpoint`);
        ledgerMetricsUrls.push(`${record.workersUrl}/metrics`);
        started.push(child);
      }
      workers.push(...started);
      return started;
    };
    await startLedgerWorkers(opts.ledgerWorkers);
    const api = opts.api ? await start("api", "api", {}) : null;

    return {
      gatewayUrl: gateway.record.gatewayUrl!,
      apiUrl: api?.record.apiUrl ?? null,
      natsUrl,
      natsNodes: cluster ? cluster.nodes.map((n) => ({ name: n.name, url: n.url })) : null,
      namespace,
      databaseUrl,
      tenantId,
      keys,
      gateway: gateway.child,
      workers,
      api: api?.child ?? null,
      startLedgerWorkers,
      ledgerMetricsUrls,
      startWorkersProcess: async (name, list, extra = {}, nodeFlags = []) =>
        (await start(name, "workers", { ...extra, WORKERS: list }, nodeFlags)).child,
      dataDir,
      stop: (o) => stop(o?.keepLogs),
    };
  } catch (e) {
    await stop(true);
    throw new Error(`${(e as Error).message}\n(process logs are in ${dataDir})`);
  }
}

async function createBenchTenant(databaseUrl: string) {
  const db = createDb({ url: databaseUrl, poolSize: 1 });
  try {
    const created = await createDemoTenant(db);
    return { tenantId: created.tenantId, keys: { pos: created.apiKeys.pos, admin: created.apiKeys.admin } };
  } finally {
    await db.$disconnect();
  }
}
