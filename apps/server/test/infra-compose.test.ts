import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultSearchPath, findExecutable } from "@regulars/embedded";
import { loadConfig, parseRoles, type Role, ServerConfig } from "@regulars/runtime";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";

// infra/compose.yaml cannot run here (no Docker), so it is held to the code another way: it must parse,
// every app service's environment must be one the server accepts, the settings every process re-declares
// must agree, and the NATS configs it mounts must be valid to nats-server itself.

const infra = fileURLToPath(new URL("../../../infra/", import.meta.url));

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string | number | boolean>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
}

function loadCompose(): Record<string, Service> {
  // Merge keys (`<<: *server-env`) are YAML 1.1; compose resolves them, and so must we.
  const doc = parseDocument(readFileSync(join(infra, "compose.yaml"), "utf8"), { merge: true });
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(doc.warnings.map((e) => e.message)).toEqual([]);
  return (doc.toJS() as { services: Record<string, Service> }).services;
}

const services = loadCompose();
const apps = Object.entries(services).filter(([, s]) => s.image === "regulars-server:local");
const natsNodes = Object.entries(services).filter(([name]) => /^nats-\d+$/.test(name));
const envOf = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
const roleOf = (s: Service): Role => {
  const roles = parseRoles(s.command ?? []);
  expect(roles).toHaveLength(1); // one role per process
  return roles[0]!;
};

describe("infra/compose.yaml", () => {
  it("runs every role as separate processes: two gateways, two ledger workers, the consumers, the jobs, the campaigns, one api", () => {
    const layout = apps.map(([, s]) => `${roleOf(s)}:${loadConfig(envOf(s)).WORKERS.join("+")}`);
    expect(layout.filter((l) => l.startsWith("gateway:"))).toHaveLength(2);
    expect(layout.filter((l) => l === "workers:ledger")).toHaveLength(2);
    expect(layout.filter((l) => l === "workers:events+analytics+profiles+webhooks")).toHaveLength(1);
    expect(layout.filter((l) => l === "workers:jobs")).toHaveLength(1);
    expect(layout.filter((l) => l === "workers:campaigns+messages")).toHaveLength(1);
    // Every worker runs somewhere.
    const running = new Set(apps.flatMap(([, s]) => (roleOf(s) === "workers" ? loadConfig(envOf(s)).WORKERS : [])));
    expect([...running].sort()).toEqual([...loadConfig({}).WORKERS].sort());
    expect(layout.filter((l) => l.startsWith("api:"))).toHaveLength(1);
    for (const [, s] of apps) expect(s.build).toMatchObject({ dockerfile: "infra/Dockerfile" });
  });

  it.each(apps)("%s: every variable is a setting of the server, and the server accepts them all", (_name, service) => {
    const env = envOf(service);
    const known = new Set(Object.keys(ServerConfig.shape));
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const config = loadConfig(env);
    // All NATS nodes, one copy of each stream per node.
    const hosts = config.NATS_URL!.split(",").map((u) => new URL(u).hostname);
    expect(hosts.sort()).toEqual(natsNodes.map(([name]) => name).sort());
    expect(config.NATS_REPLICAS).toBe(natsNodes.length);
    // The login the nodes expect: the user in node-common.conf, the password each node is given.
    const login = new URL(config.NATS_URL!.split(",")[0]!);
    const common = readFileSync(join(infra, "nats/cluster/node-common.conf"), "utf8");
    expect(common).toContain(`{ user: ${login.username}, password: $NATS_CLIENT_PASSWORD }`);
    for (const [, node] of natsNodes) expect(envOf(node).NATS_CLIENT_PASSWORD).toBe(login.password);
    expect(config.HOST).toBe("0.0.0.0");
    if ((config.WORKERS.includes("analytics") || config.WORKERS.includes("jobs")) && roleOf(service) === "workers") {
      // Without a URL each process would write to a chdb folder of its own (and jobs apart from analytics would
      // have no ClickHouse at all).
      expect(config.CLICKHOUSE_URL).toBe("http://clickhouse:8123");
      expect(service.depends_on?.clickhouse).toEqual({ condition: "service_healthy" });
    }
    // The api reads ClickHouse for the dashboard, segments, campaign results, exports and analyst SQL; without a URL
    // each of those answers `unavailable`.
    if (roleOf(service) === "api") expect(config.CLICKHOUSE_URL).toBe("http://clickhouse:8123");
  });

  it.each(apps)("%s: waits for Postgres and every NATS node, and its healthcheck asks its own /readyz", (_name, s) => {
    const config = loadConfig(envOf(s));
    for (const dependency of ["postgres", ...natsNodes.map(([name]) => name)])
      expect(s.depends_on?.[dependency]).toEqual({ condition: "service_healthy" });
    const port = { gateway: config.GATEWAY_PORT, workers: config.WORKERS_PORT, api: config.API_PORT }[roleOf(s)];
    expect(s.healthcheck?.test.join(" ")).toContain(`http://127.0.0.1:${port}/readyz`);
  });

  it("gives every process the same topology settings (each re-declares the streams and consumers at start) and ledger partitions", () => {
    const declared = apps.map(([, s]) => {
      const c = loadConfig(envOf(s));
      const topology = [c.REGULARS_NAMESPACE, c.NATS_REPLICAS, c.ACK_WAIT_MS, c.MAX_DELIVER, c.DEDUPE_WINDOW_SECONDS];
      // Gateways put each transaction on a partition and ledger workers read them: one count for all.
      return [...topology, c.LEDGER_PARTITIONS].join(" ");
    });
    expect(new Set(declared).size).toBe(1);
    expect(apps.filter(([, s]) => envOf(s).REGULARS_DEMO === "on")).toHaveLength(1);
  });

  it("runs three NATS nodes, each from its own config in the mounted folder, with its own store", () => {
    expect(natsNodes.map(([name]) => name).sort()).toEqual(["nats-1", "nats-2", "nats-3"]);
    for (const [name, s] of natsNodes) {
      const mount = s.volumes?.find((v) => v.endsWith(":/etc/nats:ro"));
      expect(mount).toBeDefined();
      const config = join(infra, mount!.split(":")[0]!, `${name}.conf`);
      expect(s.command).toEqual(["nats-server", "--config", `/etc/nats/${name}.conf`]);
      expect(readFileSync(config, "utf8")).toMatch(new RegExp(`^server_name: ${name}$`, "m"));
      expect(s.volumes).toContain(`${name}-data:/data`);
    }
  });
});

describe("infra/nats", () => {
  const natsServer = findExecutable("nats-server", defaultSearchPath());
  /** `nats-server -t`: parses the config (and its includes) as the server would, unknown fields included. */
  const check = (file: string, env: Record<string, string>) =>
    spawnSync(natsServer!, ["-t", "-c", file], { env: { ...env, PATH: process.env.PATH }, encoding: "utf8" });

  it.each(natsNodes)("%s's config is valid to nats-server, with the password compose gives it", (name, s) => {
    const file = join(infra, "nats/cluster", `${name}.conf`);
    const valid = check(file, envOf(s));
    expect(valid.stderr + valid.stdout).toContain("is valid");
    expect(valid.status).toBe(0);
    // The client password comes from the environment; without it the node must refuse to start.
    expect(check(file, {}).status).not.toBe(0);
  });

  it("the single-server config is valid to nats-server", () => {
    const file = join(infra, "nats/nats-server.conf");
    expect(existsSync(file)).toBe(true);
    expect(check(file, {}).status).toBe(0);
  });

  it("every node lists the route of every node", () => {
    const common = readFileSync(join(infra, "nats/cluster/node-common.conf"), "utf8");
    for (const [name] of natsNodes) expect(common).toMatch(new RegExp(`nats-route://[^\\s]*@${name}:6222`));
    for (const [name] of natsNodes)
      expect(readFileSync(join(infra, "nats/cluster", `${name}.conf`), "utf8")).toContain("include ./node-common.conf");
  });
});

describe("README.md", () => {
  it("lists every setting the server reads in its configuration table", () => {
    const readme = readFileSync(fileURLToPath(new URL("../../../README.md", import.meta.url)), "utf8");
    const rows = readme.split("\n").filter((line) => line.startsWith("| `"));
    const documented = new Set(
      rows.flatMap((row) => [...row.split("|")[1]!.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1])),
    );
    expect(Object.keys(ServerConfig.shape).filter((key) => !documented.has(key))).toEqual([]);
  });
});
