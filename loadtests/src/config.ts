import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { busTopology } from "@regulars/bus";
import { z } from "zod";

const DemoKeys = z.object({ admin: z.string(), pos: z.string().min(1), kiosk: z.string(), analyst: z.string() });

/** The demo POS key: from server.json itself (older servers) or the private keys file it names. */
function demoPosKey(demo: ServerInfo["demo"]): string | undefined {
  if ("apiKeys" in demo) return demo.apiKeys.pos;
  try {
    return z.object({ apiKeys: DemoKeys }).parse(JSON.parse(readFileSync(demo.keysFile, "utf8"))).apiKeys.pos;
  } catch {
    return undefined; // unreadable: the user is told to pass --key
  }
}

/** What the running embedded server writes to `<repo>/.data/server.json`. */
const ServerInfo = z.object({
  pid: z.number().int().positive(),
  gatewayUrl: z.string().min(1).nullable(),
  apiUrl: z.string().nullable(),
  natsUrl: z.string().min(1),
  namespace: z.string().min(1),
  // Servers write where the demo keys are (a private file); older ones wrote the keys themselves.
  demo: z.union([
    z.object({ tenantId: z.string(), apiKeys: DemoKeys }),
    z.object({ tenantId: z.string(), keysFile: z.string().min(1) }),
  ]),
});
type ServerInfo = z.infer<typeof ServerInfo>;

export interface BenchConfig {
  durationSec: number;
  connections: number;
  gatewayUrl: string;
  posKey: string;
  natsUrl: string;
  namespace: string;
  json: boolean;
  drainTimeoutSec: number;
  rawSeconds: number;
  /** The embedded server's pid when server.json names a live one serving --gateway (for its peak RSS). */
  serverPid: number | null;
  tenantId: string | null;
}

/** A mistake the user can fix: printed as is, without a stack trace. */
export class BenchUsageError extends Error {}

export const usage = `Usage: pnpm bench:ingest [flags]

  --duration <s>        load duration in seconds (default 20)
  --connections <n>     concurrent HTTP connections (default 50)
  --gateway <url>       gateway base URL, local only (default: gatewayUrl in .data/server.json)
  --key <key>           POS API key (default: demo.apiKeys.pos in .data/server.json)
  --nats <url>          NATS URL, local only (default: natsUrl in .data/server.json)
  --namespace <ns>      bus namespace (default: namespace in .data/server.json, else "regulars")
  --drain-timeout <s>   give up waiting for the ledger after this long (default 300)
  --raw-seconds <s>     longest raw JetStream publish reference run (default 10)
  --json                print only the one-line JSON result on stdout
  --help`;

export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
    if (dirname(dir) === dir)
      throw new BenchUsageError(`no pnpm-workspace.yaml above ${from}: run the bench from the Regulars repository`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readServerInfo(path: string): ServerInfo | null {
  if (!existsSync(path)) return null;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new BenchUsageError(
      `${path} is not readable JSON (${(e as Error).message}): restart the system with \`npm start\``,
    );
  }
  const parsed = ServerInfo.safeParse(json);
  if (!parsed.success)
    throw new BenchUsageError(
      `${path} is not what the server writes: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  return parsed.data;
}

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

/** Returns null when --help was asked for. */
export function loadConfig(
  argv: string[] = process.argv.slice(2),
  serverJson = join(findRepoRoot(), ".data", "server.json"),
): BenchConfig | null {
  const parse = () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        duration: { type: "string" },
        connections: { type: "string" },
        gateway: { type: "string" },
        key: { type: "string" },
        nats: { type: "string" },
        namespace: { type: "string" },
        "drain-timeout": { type: "string" },
        "raw-seconds": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse());
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message}\n\n${usage}`);
  }
  if (values.help) return null;

  const recorded = readServerInfo(serverJson);
  // A server.json left behind by a stopped server would point the bench at nothing.
  const server = recorded && isAlive(recorded.pid) ? recorded : null;

  const gatewayUrl = values.gateway ?? server?.gatewayUrl;
  const posKey = values.key ?? (server ? demoPosKey(server.demo) : undefined);
  const natsUrl = values.nats ?? server?.natsUrl;
  if (!gatewayUrl || !posKey || !natsUrl) {
    const why = recorded
      ? `${serverJson} names pid ${recorded.pid}, which is no longer running`
      : `${serverJson} does not exist`;
    throw new BenchUsageError(
      `No running Regulars system found: ${why}.\nStart the system with \`npm start\` first (it writes .data/server.json), ` +
        "or pass --gateway, --key and --nats (and --namespace).",
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
  const connections = positive("connections", values.connections, 50);
  if (!Number.isInteger(connections)) throw new BenchUsageError("--connections must be a whole number");
  return {
    durationSec: positive("duration", values.duration, 20),
    connections,
    gatewayUrl,
    posKey,
    natsUrl,
    namespace,
    json: values.json,
    drainTimeoutSec: positive("drain-timeout", values["drain-timeout"], 300),
    rawSeconds: positive("raw-seconds", values["raw-seconds"], 10),
    // Its pid only measures the process under load when the bench targets that server's gateway.
    serverPid:
      server?.gatewayUrl && new URL(server.gatewayUrl).origin === new URL(gatewayUrl).origin ? server.pid : null,
    tenantId: server?.demo.tenantId ?? null,
  };
}
