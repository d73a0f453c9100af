import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connectBus } from "@regulars/bus";
import { clusterDirOf, removeEmbeddedPostgresCluster } from "@regulars/embedded";
import { deleteStreams, eventually, testNatsUrl, uniqueNamespace } from "@regulars/testing";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), "regulars-shutdown-"));
const namespace = uniqueNamespace();

afterAll(async () => {
  removeEmbeddedPostgresCluster(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
  const bus = await connectBus({ url: testNatsUrl(), namespace });
  await deleteStreams(bus);
  await bus.close();
}, 60_000);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The real server process with embedded Postgres, interrupted the way a terminal's Ctrl-C does. */
async function startAndInterrupt(postgresPort: number) {
  const { DATABASE_URL: _db, CLICKHOUSE_URL: _ch, ...env } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
    cwd: repoRoot,
    env: {
      ...env,
      REGULARS_DATA_DIR: dataDir,
      NATS_URL: testNatsUrl(),
      REGULARS_NAMESPACE: namespace,
      REGULARS_DEMO: "off",
      GATEWAY_PORT: "0",
      API_PORT: "0",
      WORKERS_PORT: "0",
      EMBEDDED_POSTGRES_PORT: String(postgresPort),
      WORKERS: "ledger,events,jobs",
      LOG_FORMAT: "json",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so the whole group can be signalled like a terminal does
  });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const serverJson = join(dataDir, "server.json");
  await eventually("the server to be up", async () => (existsSync(serverJson) ? true : undefined), 120_000, 100).catch(
    (e) => {
      throw new Error(`${(e as Error).message}\n${output}`);
    },
  );
  const postmaster = Number(readFileSync(join(clusterDirOf(dataDir), "postmaster.pid"), "utf8").split("\n")[0]);
  expect(alive(postmaster)).toBe(true);

  process.kill(-child.pid!, "SIGINT"); // Ctrl-C reaches every process of the foreground group
  const code = await exited;
  return { code, postmaster, output, serverJson };
}

describe("Ctrl-C", { timeout: 400_000 }, () => {
  it("stops cleanly every time: exit code 0, embedded Postgres stopped, server.json removed", async () => {
    const postgresPort = await freePort();
    for (let attempt = 1; attempt <= 3; attempt++) {
      const { code, postmaster, output, serverJson } = await startAndInterrupt(postgresPort);
      expect({ attempt, code }, output).toEqual({ attempt, code: 0 });
      expect({ attempt, postgresAlive: alive(postmaster) }).toEqual({ attempt, postgresAlive: false });
      expect({ attempt, serverJson: existsSync(serverJson) }).toEqual({ attempt, serverJson: false });
      expect(existsSync(join(clusterDirOf(dataDir), "postmaster.pid"))).toBe(false); // a clean shutdown, not a crash
    }
  });
});
