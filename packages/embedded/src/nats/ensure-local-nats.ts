import { mkdir } from "node:fs/promises";
import path from "node:path";
import { type Log, noLog } from "../log.ts";
import { sleep } from "../sleep.ts";
import { defaultSearchPath, findExecutable } from "./find-executable.ts";
import { NATS_SERVER_MISSING } from "./install-hint.ts";
import { type NatsServerProcess, spawnNatsServer } from "./nats-server-process.ts";
import { probeNats } from "./probe-nats.ts";

export interface LocalNats {
  url: string;
  /** Stops nats-server only if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
  startedHere: boolean;
}

export interface EnsureLocalNatsOptions {
  dataDir: string;
  port?: number;
  log?: Log;
  /** nats-server executable to run instead of looking it up. */
  binary?: string;
  /** PATH-style folder list to look for `nats-server` in. Default: PATH plus /usr/local/sbin and /usr/sbin. */
  searchPath?: string;
}

const HOST = "127.0.0.1";
const START_TIMEOUT_MS = 15_000;

/**
 * If something answers NATS on 127.0.0.1:<port> (default 4222), use it. Otherwise spawn `nats-server` with
 * JetStream storing in `${dataDir}/nats` and wait until it greets a client. A server started here is a child
 * of this process: it is killed when the process exits, so call stop() on shutdown.
 */
export async function ensureLocalNats(opts: EnsureLocalNatsOptions): Promise<LocalNats> {
  const log = opts.log ?? noLog;
  const port = opts.port ?? 4222;
  const url = `nats://${HOST}:${port}`;

  const existing = await probeNats(port);
  if (existing.state === "nats") return useRunning(url, existing.jetstream, log);
  if (existing.state === "other") throw portTakenError(port);

  const binary = opts.binary ?? findExecutable("nats-server", opts.searchPath ?? defaultSearchPath());
  if (!binary) throw new Error(NATS_SERVER_MISSING);

  const storeDir = path.join(path.resolve(opts.dataDir), "nats");
  await mkdir(storeDir, { recursive: true });
  log("starting nats-server", { binary, port, storeDir });
  const server = spawnNatsServer(binary, ["-a", HOST, "-p", String(port), "-js", "-sd", storeDir]);

  const winner = await waitUntilAnswering(server, port).catch(async (error: unknown) => {
    await server.stop();
    throw error;
  });
  if (winner === "other process") {
    log("another process started NATS on this port first; using it", { port });
    return { url, startedHere: false, stop: async () => {} };
  }
  log("nats-server started", { url, storeDir });
  return { url, startedHere: true, stop: () => server.stop() };
}

/**
 * Polls until a NATS server answers on the port, and tells whose it is: ours prints the server id that the
 * INFO greeting carries. If two processes spawn at once, the loser's server fails to bind and exits while
 * the winner's answers; the loser then uses the winner's.
 */
async function waitUntilAnswering(server: NatsServerProcess, port: number): Promise<"ours" | "other process"> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exitedAt: number | undefined;
  while (Date.now() < deadline) {
    const probe = await probeNats(port, 500);
    const running = server.isRunning();
    if (probe.state === "nats") {
      if (!running) return "other process";
      if (probe.serverId && server.output.includes(probe.serverId)) return "ours";
    } else if (!running) {
      exitedAt ??= Date.now();
      // A short grace in case our server exited because a racing one was just binding the port.
      if (Date.now() - exitedAt > 2_000) {
        throw new Error(`nats-server exited before accepting connections on ${HOST}:${port}:\n${server.output}`);
      }
    }
    await sleep(100);
  }
  throw new Error(
    `nats-server did not accept connections on ${HOST}:${port} within ${START_TIMEOUT_MS / 1000} s:\n${server.output}`,
  );
}

function useRunning(url: string, jetstream: boolean, log: Log): LocalNats {
  if (!jetstream)
    log("the NATS server found has JetStream disabled; streams will not work (restart it with -js)", { url });
  else log("using the NATS server already running", { url });
  return { url, startedHere: false, stop: async () => {} };
}

const portTakenError = (port: number) =>
  new Error(
    `Port ${port} on ${HOST} is in use by something that is not a NATS server. ` +
      `Free the port, or set NATS_URL to a NATS server with JetStream.`,
  );
