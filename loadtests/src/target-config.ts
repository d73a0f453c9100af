import { dirname, join } from "node:path";
import { assertLocalUrl } from "./config.ts";
import { BenchUsageError, dataDirOf, demoKey, isAlive, readServerInfo } from "./running-system.ts";

/** Where a bench sends its load: a system it spawns, or one already running (found by its server.json). */
export type BenchTarget =
  | { kind: "spawn"; ledgerWorkers: number; natsCluster?: number }
  | {
      kind: "running";
      gatewayUrl: string;
      apiUrl: string;
      posKey: string;
      adminKey: string;
      serverPid: number | null;
    };

export interface TargetFlags {
  spawn?: boolean;
  "data-dir"?: string;
  gateway?: string;
  api?: string;
  key?: string;
  "admin-key"?: string;
  "ledger-workers"?: string;
  "nats-cluster"?: string;
}

/**
 * The target of a bench that needs the gateway and the API: `--spawn` (with `--ledger-workers`), or the
 * running system's URLs and demo keys, each overridable by a flag. `serverJson` replaces the data folder's
 * server.json (tests).
 */
export function benchTarget(
  values: TargetFlags,
  ledgerWorkers: (raw: string | undefined) => number,
  serverJson?: string,
): BenchTarget {
  if (values.spawn) {
    const misplaced = (["data-dir", "gateway", "api", "key", "admin-key"] as const).filter((f) => values[f]);
    if (misplaced.length)
      throw new BenchUsageError(`--spawn starts a system of its own: --${misplaced.join(", --")} does not apply`);
    const cluster = values["nats-cluster"];
    if (cluster === undefined) return { kind: "spawn", ledgerWorkers: ledgerWorkers(values["ledger-workers"]) };
    const nodes = Number(cluster);
    if (!Number.isInteger(nodes) || nodes < 3) throw new BenchUsageError("--nats-cluster must be a whole number ≥ 3");
    return { kind: "spawn", ledgerWorkers: ledgerWorkers(values["ledger-workers"]), natsCluster: nodes };
  }
  if (values["nats-cluster"] !== undefined)
    throw new BenchUsageError("--nats-cluster applies to a system the bench starts: add --spawn");
  const path = serverJson ?? join(dataDirOf(values["data-dir"]), "server.json");
  const recorded = readServerInfo(path);
  const server = recorded && isAlive(recorded.pid) ? recorded : null;
  const gatewayUrl = values.gateway ?? server?.gatewayUrl ?? undefined;
  const apiUrl = values.api ?? server?.apiUrl ?? undefined;
  const posKey = values.key ?? (server ? demoKey(server.demo, "pos") : undefined);
  const adminKey = values["admin-key"] ?? (server ? demoKey(server.demo, "admin") : undefined);
  if (!gatewayUrl || !apiUrl || !posKey || !adminKey)
    throw new BenchUsageError(
      `No running Regulars system with a gateway and an API found in ${dirname(path)}: start it with ` +
        "`RATE_LIMIT_POS=off RATE_LIMIT_ADMIN=off npm start`, pass --gateway, --api, --key and --admin-key, or use --spawn.",
    );
  assertLocalUrl("--gateway", gatewayUrl, ["http:", "https:"]);
  assertLocalUrl("--api", apiUrl, ["http:", "https:"]);
  return { kind: "running", gatewayUrl, apiUrl, posKey, adminKey, serverPid: server?.pid ?? null };
}
