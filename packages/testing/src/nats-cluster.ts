import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bus, connectBus } from "@regulars/bus";
import { defaultSearchPath, findExecutable } from "@regulars/embedded";
import { eventually } from "./eventually.ts";
import { signalAndWait, spawnWithLifeline } from "./lifeline.ts";

/** One nats-server of the cluster. Its ports and store folder stay the same across restarts. */
export interface NatsClusterNode {
  /** The node's `server_name`, as JetStream names its peers and leaders. */
  readonly name: string;
  readonly url: string;
  /** The monitoring endpoint (`/jsz`, `/healthz`, `/varz`). */
  readonly monitorUrl: string;
  readonly running: boolean;
  /** The last lines the server printed: attach them to a failure. */
  output(): string;
  /** SIGKILL, as a crashed host: nothing is flushed, no lame-duck mode. Resolves once it has exited. */
  kill(): Promise<void>;
  /** SIGTERM: a clean shutdown. */
  stop(): Promise<void>;
  /** Starts it again (same ports, same store) and resolves once it answers clients. */
  start(): Promise<void>;
}

export interface NatsCluster {
  readonly nodes: NatsClusterNode[];
  /** Every node's client URL, comma-separated, the credentials (if any) on the first: the form NATS_URL takes. */
  readonly url: string;
  node(name: string): NatsClusterNode;
  /** Waits until a running node reports a JetStream meta leader that is itself running; returns its name. */
  waitForMetaLeader(timeoutMs?: number): Promise<string>;
  /** The node leading a stream now, or null while it has none (or the question cannot be answered). */
  streamLeader(bus: Pick<Bus, "jsm">, stream: string): Promise<string | null>;
  /**
   * Waits until every stream has a leader and `replicas - 1` followers that are all current (caught up):
   * after a restart, the moment the cluster holds every copy again.
   */
  waitForStreams(bus: Pick<Bus, "jsm">, streams: string[], replicas: number, timeoutMs?: number): Promise<void>;
  /** Kills every node and removes the store folders. Safe to call twice, and after a failed start. */
  dispose(): Promise<void>;
}

export interface NatsClusterOptions {
  size?: number;
  /** nats-server executable; looked up on PATH and in the sbin folders otherwise. */
  binary?: string;
  /** Clients must log in with this user and password (as in infra/nats/cluster). */
  auth?: { user: string; password: string };
}

/**
 * A real NATS cluster with JetStream on loopback: `size` nats-server processes (3 by default) routed to
 * each other, each with its own store folder under a temporary directory. Each process dies with the
 * test process (see `spawnWithLifeline`). Resolves once every node answers and a meta leader exists,
 * i.e. once streams can be created.
 */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  const binary = opts.binary ?? findExecutable("nats-server", defaultSearchPath());
  if (!binary) throw new Error("nats-server was not found on PATH, /usr/local/sbin or /usr/sbin");
  const dir = mkdtempSync(join(tmpdir(), "regulars-nats-cluster-"));
  const clusterName = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const ports = await freePorts(size * 3);
  const specs = Array.from({ length: size }, (_, i) => ({
    name: `${clusterName}-n${i + 1}`,
    client: ports[i * 3]!,
    route: ports[i * 3 + 1]!,
    monitor: ports[i * 3 + 2]!,
  }));
  const routes = specs.map((s) => `nats-route://127.0.0.1:${s.route}`);
  const nodes = specs.map((spec) => {
    const config = join(dir, `${spec.name}.conf`);
    writeFileSync(
      config,
      [
        `server_name: "${spec.name}"`,
        `listen: "127.0.0.1:${spec.client}"`,
        `http: "127.0.0.1:${spec.monitor}"`,
        `jetstream { store_dir: "${join(dir, spec.name)}", max_memory_store: 64MB, max_file_store: 2GB }`,
        `cluster { name: "${clusterName}", listen: "127.0.0.1:${spec.route}", routes: [${routes.map((r) => `"${r}"`).join(", ")}] }`,
        opts.auth
          ? `authorization { users: [ { user: ${JSON.stringify(opts.auth.user)}, password: ${JSON.stringify(opts.auth.password)} } ] }`
          : "",
      ].join("\n"),
    );
    return clusterNode(binary, spec, config);
  });

  const cluster: NatsCluster = {
    nodes,
    url: [withCredentials(nodes[0]!.url, opts.auth), ...nodes.slice(1).map((n) => n.url)].join(","),
    node(name) {
      const found = nodes.find((n) => n.name === name);
      if (!found) throw new Error(`no node ${name} in this cluster (${nodes.map((n) => n.name).join(", ")})`);
      return found;
    },
    async waitForMetaLeader(timeoutMs = 30_000) {
      return eventually(
        "a JetStream meta leader",
        async () => {
          for (const node of nodes.filter((n) => n.running)) {
            const jsz = await monitor<{ meta_cluster?: { leader?: string } }>(node, "/jsz").catch(() => null);
            const leader = jsz?.meta_cluster?.leader;
            if (leader && nodes.some((n) => n.name === leader && n.running)) return leader;
          }
          return undefined;
        },
        timeoutMs,
      );
    },
    async streamLeader(bus, stream) {
      const info = await bus.jsm.streams.info(stream).catch(() => null);
      return info?.cluster?.leader ?? null;
    },
    async waitForStreams(bus, streams, replicas, timeoutMs = 30_000) {
      await eventually(
        `streams ${streams.join(", ")} with a leader and ${replicas - 1} current followers`,
        async () => {
          for (const stream of streams) {
            const info = await bus.jsm.streams.info(stream);
            const followers = info.cluster?.replicas ?? [];
            if (!info.cluster?.leader || followers.length !== replicas - 1 || followers.some((r) => !r.current))
              return undefined;
          }
          return true;
        },
        timeoutMs,
        200,
      );
    },
    async dispose() {
      await Promise.all(nodes.map((n) => n.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(nodes.map((n) => n.start()));
    await cluster.waitForMetaLeader();
    await waitForPlacement(cluster.url, size);
  } catch (e) {
    const output = nodes.map((n) => `--- ${n.name}\n${n.output()}`).join("\n");
    await cluster.dispose();
    throw new Error(`the NATS cluster did not start: ${(e as Error).message}\n${output}`);
  }
  return cluster;
}

/** A nats-server of a test's own, and the folder its JetStream store is in: stop it, empty the folder, start it. */
export interface NatsTestServer extends NatsClusterNode {
  readonly storeDir: string;
  /** Kills it and removes its folders. */
  dispose(): Promise<void>;
}

/** One nats-server with JetStream on loopback, on ports and a store folder of its own that stay the same across restarts. */
export async function startNatsServer(opts: { binary?: string } = {}): Promise<NatsTestServer> {
  const binary = opts.binary ?? findExecutable("nats-server", defaultSearchPath());
  if (!binary) throw new Error("nats-server was not found on PATH, /usr/local/sbin or /usr/sbin");
  const dir = mkdtempSync(join(tmpdir(), "regulars-nats-server-"));
  const [client, monitor] = await freePorts(2);
  const spec = {
    name: `s${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
    client: client!,
    route: 0,
    monitor: monitor!,
  };
  const storeDir = join(dir, "store");
  const config = join(dir, "server.conf");
  writeFileSync(
    config,
    [
      `server_name: "${spec.name}"`,
      `listen: "127.0.0.1:${spec.client}"`,
      `http: "127.0.0.1:${spec.monitor}"`,
      `jetstream { store_dir: "${storeDir}", max_memory_store: 64MB, max_file_store: 2GB }`,
    ].join("\n"),
  );
  const node = clusterNode(binary, spec, config);
  const server = Object.assign(node, {
    storeDir,
    async dispose() {
      await node.kill();
      await rm(dir, { recursive: true, force: true });
    },
  });
  await node.start();
  return server;
}

interface NodeSpec {
  name: string;
  client: number;
  route: number;
  monitor: number;
}

function clusterNode(binary: string, spec: NodeSpec, config: string): NatsClusterNode {
  let child: ChildProcess | null = null;
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  const running = () => child !== null && child.exitCode === null && child.signalCode === null;
  const node: NatsClusterNode = {
    name: spec.name,
    url: `nats://127.0.0.1:${spec.client}`,
    monitorUrl: `http://127.0.0.1:${spec.monitor}`,
    get running() {
      return running();
    },
    output: () => lines.join("\n"),
    kill: async () => {
      if (child) await signalAndWait(child, "SIGKILL");
    },
    stop: async () => {
      if (child) await signalAndWait(child, "SIGTERM");
    },
    async start() {
      if (running()) return;
      const started = spawnWithLifeline(binary, ["-c", config], { stdio: ["ignore", "pipe", "pipe"] });
      started.stdout?.on("data", keep);
      started.stderr?.on("data", keep);
      started.once("error", (e) => lines.push(`could not run ${binary}: ${e.message}`));
      child = started;
      await eventually(
        `${spec.name} to answer`,
        async () => {
          if (!running()) throw new Error(`${spec.name} exited: ${lines.slice(-5).join(" | ")}`);
          return (await fetch(`${node.monitorUrl}/varz`).catch(() => null))?.ok ? true : undefined;
        },
        15_000,
        50,
      );
    },
  };
  return node;
}

function withCredentials(url: string, auth: NatsClusterOptions["auth"]): string {
  if (!auth) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(auth.user);
  u.password = encodeURIComponent(auth.password);
  return u.toString().replace(/\/$/, "");
}

async function monitor<T>(node: NatsClusterNode, path: string): Promise<T> {
  const res = await fetch(`${node.monitorUrl}${path}`, { signal: AbortSignal.timeout(1_000) });
  if (!res.ok) throw new Error(`${node.name}${path} answered ${res.status}`);
  return (await res.json()) as T;
}

/**
 * A meta leader can exist before it has heard what the other nodes offer; until then creating a stream
 * with `replicas` copies fails with "no suitable peers for placement". Creates (and deletes) a probe
 * stream until one can be placed.
 */
async function waitForPlacement(url: string, replicas: number): Promise<void> {
  const bus = await connectBus({ url, namespace: "clusterprobe", name: "regulars-test-cluster-probe" });
  try {
    await eventually(
      `a stream with ${replicas} replicas to be placed`,
      async () => {
        await bus.jsm.streams.add({ name: "CLUSTER_PROBE", subjects: ["clusterprobe.>"], num_replicas: replicas });
        await bus.jsm.streams.delete("CLUSTER_PROBE");
        return true;
      },
      30_000,
      200,
    );
  } finally {
    await bus.close();
  }
}

/** Ports free right now, all bound at once so none is handed out twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once("error", reject);
          s.listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
