import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BenchUsageError, loadConfig } from "../src/config.ts";

// The bench reads DATABASE_URL as a default; these tests are about what it finds without it.
delete process.env.DATABASE_URL;
const dir = mkdtempSync(join(tmpdir(), "regulars-bench-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const serverJson = (name: string, pid: number, gatewayUrl = "http://127.0.0.1:4000"): string => {
  const path = join(dir, name);
  const demo = { tenantId: "tn_demo", apiKeys: { admin: "adm", pos: "pos_key", kiosk: "kio", analyst: "ana" } };
  writeFileSync(
    path,
    JSON.stringify({
      pid,
      roles: ["all"],
      gatewayUrl,
      apiUrl: "http://127.0.0.1:4001",
      natsUrl: "nats://127.0.0.1:4222",
      namespace: "regulars_dev",
      demo,
    }),
  );
  return path;
};
// A pid that certainly ran and certainly ended.
const deadPid = spawnSync(process.execPath, ["-e", ""]).pid!;
const usageError = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(BenchUsageError);
    return (e as Error).message;
  }
  throw new Error("expected a BenchUsageError");
};

describe("bench configuration", () => {
  it("takes its defaults from a live server's server.json", () => {
    const cfg = loadConfig([], serverJson("live.json", process.pid));
    expect(cfg).toMatchObject({
      durationSec: 20,
      connections: 50,
      json: false,
      batchSize: 100,
      batchConnections: 8,
      batchDurationSec: 20,
      ceilingDurationSec: 10,
      target: {
        kind: "running",
        gatewayUrl: "http://127.0.0.1:4000",
        posKey: "pos_key",
        natsUrl: "nats://127.0.0.1:4222",
        namespace: "regulars_dev",
        serverPid: process.pid,
        tenantId: "tn_demo",
      },
    });
  });

  it("reads the demo key from the private keys file that server.json names", () => {
    const keysFile = join(dir, "demo-tenant.json");
    writeFileSync(
      keysFile,
      JSON.stringify({
        tenantId: "tn_demo",
        apiKeys: { admin: "adm", pos: "pos_from_file", kiosk: "kio", analyst: "ana" },
      }),
    );
    const path = join(dir, "keys-file.json");
    writeFileSync(
      path,
      JSON.stringify({
        pid: process.pid,
        roles: ["all"],
        gatewayUrl: "http://127.0.0.1:4000",
        apiUrl: null,
        natsUrl: "nats://127.0.0.1:4222",
        namespace: "regulars_dev",
        demo: { tenantId: "tn_demo", keysFile },
      }),
    );
    expect(loadConfig([], path)?.target).toMatchObject({ posKey: "pos_from_file", tenantId: "tn_demo" });
  });

  it("lets flags win, and measures the server only when it is the gateway under load", () => {
    const cfg = loadConfig(
      ["--gateway", "http://localhost:4555", "--duration", "5", "--connections", "8", "--json"],
      serverJson("other.json", process.pid),
    );
    expect(cfg).toMatchObject({
      durationSec: 5,
      connections: 8,
      json: true,
      target: { gatewayUrl: "http://localhost:4555", serverPid: null, posKey: "pos_key" },
    });
  });

  it("says to start the system when there is no server.json and no flags", () => {
    expect(usageError(() => loadConfig([], join(dir, "missing.json")))).toMatch(/npm start/);
  });

  it("does not trust a server.json whose process is gone", () => {
    const message = usageError(() => loadConfig([], serverJson("stale.json", deadPid)));
    expect(message).toMatch(/no longer running/);
    expect(message).toMatch(/npm start/);
  });

  it("runs from flags alone", () => {
    const cfg = loadConfig(
      ["--gateway", "http://127.0.0.1:4000", "--key", "k", "--nats", "127.0.0.1:4222"],
      join(dir, "missing.json"),
    );
    expect(cfg?.target).toMatchObject({ namespace: "regulars", serverPid: null });
  });

  it("refuses to send traffic anywhere but this machine", () => {
    const live = serverJson("live2.json", process.pid);
    expect(usageError(() => loadConfig(["--gateway", "https://gateway.example.com"], live))).toMatch(/not local/);
    expect(usageError(() => loadConfig(["--nats", "nats://10.1.2.3:4222"], live))).toMatch(/not local/);
    expect(usageError(() => loadConfig(["--nats", "nats://127.0.0.1:4222,nats://10.1.2.3:4222"], live))).toMatch(
      /not local/,
    );
  });

  it("rejects bad numbers, unknown flags and invalid namespaces", () => {
    const live = serverJson("live3.json", process.pid);
    expect(usageError(() => loadConfig(["--duration", "abc"], live))).toMatch(/--duration/);
    expect(usageError(() => loadConfig(["--connections", "2.5"], live))).toMatch(/--connections/);
    expect(usageError(() => loadConfig(["--nope"], live))).toMatch(/Unknown option/);
    expect(usageError(() => loadConfig(["--namespace", "Bad-NS"], live))).toMatch(/--namespace/);
    expect(usageError(() => loadConfig(["--batch-size", "-1"], live))).toMatch(/--batch-size/);
  });

  it("counts the ledger in the running system's embedded Postgres, found beside its server.json", () => {
    const sub = join(dir, "with-postgres");
    mkdirSync(sub);
    const path = join(sub, "server.json");
    writeFileSync(path, readFileSync(serverJson("for-postgres.json", process.pid)));
    expect(loadConfig([], path)?.target).toMatchObject({ databaseUrl: null });
    writeFileSync(
      join(sub, "postgres.json"),
      JSON.stringify({ port: 54329, pid: process.pid, url: "postgresql://u:p@127.0.0.1:54329/regulars" }),
    );
    expect(loadConfig([], path)?.target).toMatchObject({ databaseUrl: "postgresql://u:p@127.0.0.1:54329/regulars" });
    expect(loadConfig(["--database-url", "postgresql://127.0.0.1/other"], path)?.target).toMatchObject({
      databaseUrl: "postgresql://127.0.0.1/other",
    });
    // A record left by a Postgres that stopped is not used.
    writeFileSync(join(sub, "postgres.json"), JSON.stringify({ port: 54329, pid: deadPid, url: "postgresql://x" }));
    expect(loadConfig([], path)?.target).toMatchObject({ databaseUrl: null });
  });

  it("starts a system of its own with --spawn, where flags about a running one do not apply", () => {
    expect(loadConfig(["--spawn"], join(dir, "missing.json"))).toMatchObject({
      target: { kind: "spawn", ledgerWorkers: 2, cpuProfDir: null },
    });
    expect(
      loadConfig(
        ["--spawn", "--ledger-workers", "3", "--cpu-prof", "/tmp/p", "--batch-size", "0"],
        join(dir, "x.json"),
      ),
    ).toMatchObject({
      batchSize: 0,
      target: { kind: "spawn", ledgerWorkers: 3, cpuProfDir: "/tmp/p", natsCluster: null },
    });
    expect(loadConfig(["--spawn", "--nats-cluster", "3"], join(dir, "x.json"))?.target).toMatchObject({
      natsCluster: 3,
    });
    expect(usageError(() => loadConfig(["--spawn", "--nats-cluster", "1"]))).toMatch(/--nats-cluster .* ≥ 3/);
    expect(usageError(() => loadConfig(["--spawn", "--gateway", "http://127.0.0.1:4000"]))).toMatch(
      /--spawn starts a system of its own: --gateway does not apply/,
    );
    const live = serverJson("live4.json", process.pid);
    expect(usageError(() => loadConfig(["--ledger-workers", "2"], live))).toMatch(/add --spawn/);
    expect(usageError(() => loadConfig(["--nats-cluster", "3"], live))).toMatch(/add --spawn/);
  });

  it("explains a server.json that is not JSON", () => {
    const path = join(dir, "broken.json");
    writeFileSync(path, "{ not json");
    expect(usageError(() => loadConfig([], path))).toMatch(/not readable JSON/);
  });
});
