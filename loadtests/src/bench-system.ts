import { type Bus, connectBus } from "@regulars/bus";
import pg from "pg";
import type { BenchConfig } from "./config.ts";
import {
  appliedOrRejected,
  type LedgerProgress,
  postgresLedgerProgress,
  workerMetricsLedgerProgress,
} from "./ledger-progress.ts";
import { findListeningPid } from "./rss.ts";
import { natsDescription, natsProcesses, spawnSystem } from "./spawn-system.ts";

/** The system under load, whether the bench started it or found it running. */
export interface BenchSystem {
  /** Spawned: the gateway runs alone until `startLedger`; running: everything runs all along. */
  kind: "spawn" | "running";
  /** One line for the report: what runs where. */
  description: string;
  gatewayUrl: string;
  apiUrl: string | null;
  posKey: string;
  adminKey: string | null;
  natsUrl: string;
  namespace: string;
  tenantId: string | null;
  /** Processes whose CPU and peak memory the report shows; the gateway's (when known) is first. */
  processes: { name: string; pid: number }[];
  gatewayPid: number | null;
  /** Why the ledger is not measured (no workers started, no database found); null when it is. */
  noLedger: string | null;
  /** Progress of the ledger for the tenant that posted `appliedExternalId` (already applied). */
  ledgerProgress(appliedExternalId: string): Promise<LedgerProgress>;
  /** Waits until the ledger has applied this transaction; false after `timeoutMs`. */
  waitApplied(externalId: string, timeoutMs: number): Promise<boolean>;
  /** Ledger worker processes `startLedger` starts (spawned systems), 0 for a running system. */
  ledgerWorkers: number;
  /** Starts the ledger workers of a spawned system; they join `processes`. */
  startLedger(): Promise<void>;
  /**
   * Spawned systems: the transactions the ledger holds in Postgres (applied or rejected) for the bench's tenant
   * and those stored on the stream, counted once at the end; null for a running system (other tenants post there).
   */
  countInLedger(): Promise<{ found: number; stored: number } | null>;
  close(opts?: { keepLogs?: boolean }): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The tenant that posted `externalId`, once the ledger has applied it; null when it has not within the time. */
async function appliedTenant(databaseUrl: string, externalId: string, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  return withClient(databaseUrl, async (c) => {
    for (;;) {
      const { rows } = await c.query<{ tenant_id: string }>(
        `SELECT tenant_id FROM transactions WHERE external_id = $1
         UNION SELECT tenant_id FROM transaction_rejections WHERE external_id = $1 LIMIT 1`,
        [externalId],
      );
      if (rows[0]) return rows[0].tenant_id;
      if (Date.now() > deadline) return null;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
}

/** Messages the namespace's transactions stream has stored since it was created (its last sequence). */
const storedTransactions = async (bus: Bus) =>
  (await bus.jsm.streams.info(bus.topology.streams.transactions)).state.last_seq;

export async function openBenchSystem(cfg: BenchConfig, log: (line: string) => void): Promise<BenchSystem> {
  const target = cfg.target;
  if (target.kind === "spawn") {
    // Node refuses --cpu-prof in NODE_OPTIONS: it goes on each profiled role's command line.
    const profileFlags = target.cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${target.cpuProfDir}`] : [];
    // The ledger starts later (startLedger): the gateway is measured alone first.
    const spawned = await spawnSystem({
      ledgerWorkers: 0,
      api: false,
      gatewayNodeFlags: profileFlags,
      ...(target.natsCluster ? { natsCluster: target.natsCluster } : {}),
      log,
    });
    const { databaseUrl } = spawned;
    const openBus = () =>
      connectBus({ url: spawned.natsUrl, namespace: spawned.namespace, name: "regulars-bench-ledger" });
    const processes = [{ name: "gateway", pid: spawned.gateway.pid }, ...natsProcesses(spawned)];
    return {
      kind: "spawn",
      description: `spawned: gateway in its own process, ${target.ledgerWorkers} ledger worker process(es)${natsDescription(spawned)}, namespace ${spawned.namespace}`,
      gatewayUrl: spawned.gatewayUrl,
      apiUrl: spawned.apiUrl,
      posKey: spawned.keys.pos,
      adminKey: spawned.keys.admin,
      natsUrl: spawned.natsUrl,
      namespace: spawned.namespace,
      tenantId: spawned.tenantId,
      processes,
      gatewayPid: spawned.gateway.pid,
      noLedger: target.ledgerWorkers > 0 ? null : "no ledger workers were started (--ledger-workers 0)",
      ledgerWorkers: target.ledgerWorkers,
      async startLedger() {
        for (const w of await spawned.startLedgerWorkers(target.ledgerWorkers, profileFlags))
          processes.push({ name: w.name, pid: w.pid });
      },
      // From the workers' counters: a count in Postgres would take its scan from the ledger being measured.
      async ledgerProgress() {
        const bus = await openBus();
        return workerMetricsLedgerProgress({
          metricsUrls: () => spawned.ledgerMetricsUrls,
          stored: () => storedTransactions(bus),
          close: () => bus.close(),
        });
      },
      async countInLedger() {
        const bus = await openBus();
        try {
          const stored = await storedTransactions(bus);
          return { found: await withClient(databaseUrl, (c) => appliedOrRejected(c, spawned.tenantId)), stored };
        } finally {
          await bus.close();
        }
      },
      waitApplied: async (externalId, timeoutMs) => (await appliedTenant(databaseUrl, externalId, timeoutMs)) !== null,
      close: (o) => spawned.stop(o),
    };
  }
  const gatewayPort = Number(new URL(target.gatewayUrl).port || 80);
  const gatewayPid = target.serverPid ?? findListeningPid(gatewayPort);
  const { databaseUrl } = target;
  return {
    kind: "running",
    description: `running system at ${target.gatewayUrl}, namespace ${target.namespace}`,
    gatewayUrl: target.gatewayUrl,
    apiUrl: null,
    posKey: target.posKey,
    adminKey: null,
    natsUrl: target.natsUrl,
    namespace: target.namespace,
    tenantId: target.tenantId,
    processes: [
      ...(gatewayPid === null ? [] : [{ name: "server", pid: gatewayPid }]),
      ...natsProcesses({ natsUrl: target.natsUrl, natsNodes: null }),
    ],
    gatewayPid,
    noLedger: databaseUrl
      ? null
      : "no database found to count applied transactions in: pass --database-url (or DATABASE_URL)",
    async ledgerProgress(appliedExternalId) {
      const tenantId = databaseUrl && (await appliedTenant(databaseUrl, appliedExternalId, 0));
      if (!databaseUrl || !tenantId) throw new Error(`transaction ${appliedExternalId} is not applied`);
      return postgresLedgerProgress(databaseUrl, tenantId);
    },
    waitApplied: async (externalId, timeoutMs) =>
      databaseUrl ? (await appliedTenant(databaseUrl, externalId, timeoutMs)) !== null : false,
    ledgerWorkers: 0,
    startLedger: async () => {},
    countInLedger: async () => null,
    close: async () => {},
  };
}
