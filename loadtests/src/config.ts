import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { busTopology } from "@regulars/bus";
import {
  BenchUsageError,
  dataDirOf,
  demoKey,
  embeddedDatabaseUrl,
  findRepoRoot,
  isAlive,
  readServerInfo,
} from "./running-system.ts";

export { BenchUsageError, findRepoRoot };

/** A system `npm start` (or a deployment on this machine) runs: found through its server.json or flags. */
export interface RunningTarget {
  kind: "running";
  gatewayUrl: string;
  posKey: string;
  natsUrl: string;
  namespace: string;
  /** The server's pid when server.json names a live one serving --gateway (for its CPU and peak RSS). */
  serverPid: number | null;
  tenantId: string | null;
  /** Where the ledger's applied transactions are counted; null falls back to the consumer backlog. */
  databaseUrl: string | null;
}

/** A system the bench starts itself: the gateway alone in its process, N ledger worker processes. */
export interface SpawnTarget {
  kind: "spawn";
  ledgerWorkers: number;
  /** Folder for the gateway's and the ledger workers' `--cpu-prof` profiles, or null. */
  cpuProfDir: string | null;
  /** Nodes of a NATS cluster to start instead of one nats-server (streams with 3 replicas), or null. */
  natsCluster: number | null;
}

export interface BenchConfig {
  durationSec: number;
  connections: number;
  json: boolean;
  drainTimeoutSec: number;
  rawSeconds: number;
  /** Transactions per batch request; 0 leaves the batch phase out. */
  batchSize: number;
  batchConnections: number;
  batchDurationSec: number;
  ceilingDurationSec: number;
  target: RunningTarget | SpawnTarget;
}

export const usage = `Usage: pnpm bench:ingest [flags]

  --spawn                 start a system of its own: the gateway alone in its process, ledger worker processes,
                          a fresh database and nats-server, all removed afterwards (default: a running system)
  --ledger-workers <n>    ledger worker processes with --spawn (default 2)
  --cpu-prof <dir>        with --spawn: write the gateway's and each ledger worker's CPU profile (node --cpu-prof)
                          into <dir>; a profile's name carries its process id, which the bench prints per role
  --nats-cluster <n>      with --spawn: a JetStream cluster of n nats-server processes on loopback instead of one,
                          the streams replicated on 3 nodes (n ≥ 3) as in production; each node's CPU and RSS are
                          reported. On one machine the nodes share its cores with everything else.
  --duration <s>          single-transaction load in seconds (default 20)
  --connections <n>       concurrent HTTP connections of the single load and the HTTP ceiling (default 50)
  --batch-size <n>        transactions per POST /v1/transactions/batch (default 100; 0: no batch phase)
  --batch-connections <n> concurrent connections of the batch load (default 8)
  --batch-duration <s>    batch load in seconds (default: --duration)
  --ceiling-duration <s>  HTTP ceiling reference in seconds (default 10)
  --drain-timeout <s>     give up waiting for the ledger after this long (default 300)
  --raw-seconds <s>       longest raw JetStream publish reference run (default 10)
  --json                  print only the one-line JSON result on stdout
  --help

  Against a running system (without --spawn); defaults come from <data dir>/server.json:
  --data-dir <dir>        the system's data folder (default: REGULARS_DATA_DIR, else <repo>/.data)
  --gateway <url>         gateway base URL, local only
  --key <key>             POS API key (default: the demo tenant's)
  --nats <url>            NATS URL, local only
  --namespace <ns>        bus namespace (default: server.json's, else "regulars")
  --database-url <url>    Postgres where the ledger's progress is counted (default: DATABASE_URL, else the
                          embedded Postgres of the data folder, else the ledger consumer's backlog is read)`;

const localHosts = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/** The bench generates real load: it must never be pointed at a shared or production host by mistake. */
export function assertLocalUrl(what: string, raw: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw.includes("://") ? raw : `${protocols[0]}//${raw}`);
  } catch {
    throw new BenchUsageError(`${what} "${raw}" is not a URL`);
  }
  if (!protocols.includes(url.protocol))
    throw new BenchUsageError(`${what} "${raw}" must use ${protocols.join(" or ")}`);
  if (!localHosts.has(url.hostname))
    throw new BenchUsageError(`${what} "${raw}" is not local: the bench only sends traffic to 127.0.0.1 or localhost`);
  return url;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new BenchUsageError(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

function wholeNumber(name: string, raw: string | undefined, fallback: number, min = 1): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) throw new BenchUsageError(`--${name} must be a whole number ≥ ${min}`);
  return n;
}

const options = {
  spawn: { type: "boolean", default: false },
  "ledger-workers": { type: "string" },
  "cpu-prof": { type: "string" },
  "nats-cluster": { type: "string" },
  duration: { type: "string" },
  connections: { type: "string" },
  "batch-size": { type: "string" },
  "batch-connections": { type: "string" },
  "batch-duration": { type: "string" },
  "ceiling-duration": { type: "string" },
  "drain-timeout": { type: "string" },
  "raw-seconds": { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", default: false },
  "data-dir": { type: "string" },
  gateway: { type: "string" },
  key: { type: "string" },
  nats: { type: "string" },
  namespace: { type: "string" },
  "database-url": { type: "string" },
} as const;
type Values = ReturnType<typeof parseArgs<{ options: typeof options }>>["values"];

/** Returns null when --help was asked for. `serverJson` overrides where a running system is looked for. */
export function loadConfig(argv: string[] = process.argv.slice(2), serverJson?: string): BenchConfig | null {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options }));
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message}\n\n${usage}`);
  }
  if (values.help) return null;
  const durationSec = positive("duration", values.duration, 20);
  return {
    durationSec,
    connections: wholeNumber("connections", values.connections, 50),
    json: values.json,
    drainTimeoutSec: positive("drain-timeout", values["drain-timeout"], 300),
    rawSeconds: positive("raw-seconds", values["raw-seconds"], 10),
    batchSize: wholeNumber("batch-size", values["batch-size"], 100, 0),
    batchConnections: wholeNumber("batch-connections", values["batch-connections"], 8),
    batchDurationSec: positive("batch-duration", values["batch-duration"], durationSec),
    ceilingDurationSec: positive("ceiling-duration", values["ceiling-duration"], 10),
    target: values.spawn ? spawnTarget(values) : runningTarget(values, serverJson),
  };
}

function spawnTarget(values: Values): SpawnTarget {
  const misplaced = (["data-dir", "gateway", "key", "nats", "namespace", "database-url"] as const).filter(
    (f) => values[f] !== undefined,
  );
  if (misplaced.length)
    throw new BenchUsageError(`--spawn starts a system of its own: --${misplaced.join(", --")} does not apply`);
  if (process.env.NATS_URL)
    for (const part of process.env.NATS_URL.split(",")) assertLocalUrl("NATS_URL", part, ["nats:"]);
  return {
    kind: "spawn",
    ledgerWorkers: wholeNumber("ledger-workers", values["ledger-workers"], 2, 0),
    cpuProfDir: values["cpu-prof"] ?? null,
    natsCluster:
      values["nats-cluster"] === undefined ? null : wholeNumber("nats-cluster", values["nats-cluster"], 3, 3),
  };
}

function runningTarget(values: Values, serverJsonOverride: string | undefined): RunningTarget {
  if (
    values["ledger-workers"] !== undefined ||
    values["cpu-prof"] !== undefined ||
    values["nats-cluster"] !== undefined
  )
    throw new BenchUsageError(
      "--ledger-workers, --cpu-prof and --nats-cluster apply to a system the bench starts: add --spawn",
    );
  const dataDir = serverJsonOverride ? dirname(serverJsonOverride) : dataDirOf(values["data-dir"]);
  const serverJson = serverJsonOverride ?? join(dataDir, "server.json");
  const recorded = readServerInfo(serverJson);
  // A server.json left behind by a stopped server would point the bench at nothing.
  const server = recorded && isAlive(recorded.pid) ? recorded : null;

  const gatewayUrl = values.gateway ?? server?.gatewayUrl;
  const posKey = values.key ?? (server ? demoKey(server.demo, "pos") : undefined);
  const natsUrl = values.nats ?? server?.natsUrl;
  if (!gatewayUrl || !posKey || !natsUrl) {
    const why = recorded
      ? `${serverJson} names pid ${recorded.pid}, which is no longer running`
      : `${serverJson} does not exist`;
    throw new BenchUsageError(
      `No running Regulars system found: ${why}.\nStart the system with \`npm start\` first (it writes .data/server.json), ` +
        "pass --gateway, --key and --nats (and --namespace), or let the bench start its own with --spawn.",
    );
  }
  assertLocalUrl("--gateway", gatewayUrl, ["http:", "https:"]);
  for (const part of natsUrl.split(",")) assertLocalUrl("--nats", part.trim(), ["nats:", "tls:"]);

  const namespace = values.namespace ?? server?.namespace ?? "regulars";
  try {
    busTopology(namespace);
  } catch (e) {
    throw new BenchUsageError(`--namespace: ${(e as Error).message}`);
  }
  // Only read from (a few counts a second), so it need not be local like the URLs that take load.
  const databaseUrl = values["database-url"] ?? process.env.DATABASE_URL ?? embeddedDatabaseUrl(dataDir);
  return {
    kind: "running",
    gatewayUrl,
    posKey,
    natsUrl,
    namespace,
    // Its pid only measures the process under load when the bench targets that server's gateway.
    serverPid:
      server?.gatewayUrl && new URL(server.gatewayUrl).origin === new URL(gatewayUrl).origin ? server.pid : null,
    tenantId: server?.demo.tenantId ?? null,
    databaseUrl,
  };
}
