import { mkdir, open, readFile, rm } from "node:fs/promises";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { type Log, noLog } from "../log.ts";
import { isProcessAlive } from "../process-alive.ts";
import { sleep } from "../sleep.ts";
import type { LocalNats } from "./ensure-local-nats.ts";
import { defaultSearchPath, findExecutable } from "./find-executable.ts";
import { NATS_SERVER_MISSING } from "./install-hint.ts";
import { findRunningNats, type NatsRecord, removeNatsRecord, writeNatsRecord } from "./nats-record.ts";
import { spawnNatsServer } from "./nats-server-process.ts";
import { probeNats } from "./probe-nats.ts";

const HOST = "127.0.0.1";
const START_TIMEOUT_MS = 15_000;

export interface StartLocalNatsOptions {
  dataDir: string;
  log?: Log;
  /** nats-server executable to run instead of looking it up. */
  binary?: string;
  searchPath?: string;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Only one process starts the data folder's server: it holds `nats.starting` (created exclusively, naming
 * its pid) until the server is recorded. Others wait for the record; a lock left by a dead process is taken over.
 */
async function withStartLock<T>(
  dataDir: string,
  work: () => Promise<T>,
  whileWaiting: () => Promise<T | undefined>,
): Promise<T> {
  const lockFile = path.join(dataDir, "nats.starting");
  const deadline = Date.now() + START_TIMEOUT_MS * 2;
  for (;;) {
    const handle = await open(lockFile, "wx", 0o600).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
      return undefined;
    });
    if (handle) {
      await handle.write(String(process.pid));
      await handle.close();
      try {
        return await work();
      } finally {
        await rm(lockFile, { force: true });
      }
    }
    const holder = Number(await readFile(lockFile, "utf8").catch(() => ""));
    if (holder && !isProcessAlive(holder)) await rm(lockFile, { force: true });
    const found = await whileWaiting();
    if (found) return found;
    if (Date.now() > deadline)
      throw new Error(
        `another process (pid ${holder}) has been starting nats-server for ${dataDir} for too long; remove ${lockFile} if it is gone`,
      );
    await sleep(100);
  }
}

/**
 * The data folder's own nats-server: JetStream storing in `${dataDir}/nats`, on a free port, recorded in
 * `${dataDir}/nats.json` so the CLI and a second process find it. Never a server that merely answers on
 * 4222: two checkouts must not share streams and durable consumers. A server started here is a child of
 * this process and is stopped by stop() (or killed when the process exits).
 */
export async function startLocalNats(opts: StartLocalNatsOptions): Promise<LocalNats> {
  const log = opts.log ?? noLog;
  const dataDir = path.resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true });
  const reuse = (record: NatsRecord): LocalNats => {
    log("using the nats-server already running for this data folder", { url: record.url, pid: record.pid });
    return { url: record.url, startedHere: false, stop: async () => {} };
  };
  const running = await findRunningNats(dataDir);
  if (running) return reuse(running);

  const binary = opts.binary ?? findExecutable("nats-server", opts.searchPath ?? defaultSearchPath());
  if (!binary) throw new Error(NATS_SERVER_MISSING);

  return withStartLock(
    dataDir,
    async () => {
      const again = await findRunningNats(dataDir);
      if (again) return reuse(again);
      const storeDir = path.join(dataDir, "nats");
      await mkdir(storeDir, { recursive: true });
      const port = await freePort();
      log("starting nats-server", { binary, port, storeDir });
      const server = spawnNatsServer(binary, ["-a", HOST, "-p", String(port), "-js", "-sd", storeDir]);
      const serverId = await waitForOwnServer(server, port).catch(async (error: unknown) => {
        await server.stop();
        throw error;
      });
      const record: NatsRecord = { url: `nats://${HOST}:${port}`, port, pid: server.pid, serverId };
      await writeNatsRecord(dataDir, record);
      log("nats-server started", { url: record.url, storeDir });
      return {
        url: record.url,
        startedHere: true,
        stop: async () => {
          await removeNatsRecord(dataDir, server.pid);
          await server.stop();
        },
      };
    },
    async () => {
      const started = await findRunningNats(dataDir);
      return started && reuse(started);
    },
  );
}

async function waitForOwnServer(server: ReturnType<typeof spawnNatsServer>, port: number): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!server.isRunning())
      throw new Error(`nats-server exited before accepting connections on ${HOST}:${port}:\n${server.output}`);
    const probe = await probeNats(port, 500);
    if (probe.state === "nats" && probe.serverId && server.output.includes(probe.serverId)) return probe.serverId;
    await sleep(100);
  }
  throw new Error(
    `nats-server did not accept connections on ${HOST}:${port} within ${START_TIMEOUT_MS / 1000} s:\n${server.output}`,
  );
}
