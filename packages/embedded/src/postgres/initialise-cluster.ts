import { randomBytes } from "node:crypto";
import { access, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { Log } from "../log.ts";
import { OutputTail } from "../output-tail.ts";
import { writePrivateFile } from "../private-file.ts";
import { isProcessAlive } from "../process-alive.ts";
import { clusterDirOf, locationRecordOf, prepareClusterParent, runsAsRoot } from "./layout.ts";
import { readPostmasterPid } from "./postmaster-pid.ts";
import { createPostgresServer, runningAsRootHint } from "./server.ts";

const isCluster = (dir: string) =>
  access(path.join(dir, "PG_VERSION")).then(
    () => true,
    () => false,
  );

/**
 * A cluster kept outside the data folder (as root) belongs to that folder only while the folder records it:
 * "delete .data to start from scratch" must hold there too, so a recorded-nowhere cluster is discarded,
 * unless a live Postgres still runs from it.
 */
async function claimExternalCluster(dataDir: string, log: Log): Promise<void> {
  if (!runsAsRoot()) return;
  const clusterDir = clusterDirOf(dataDir);
  const recorded = await readFile(locationRecordOf(dataDir), "utf8").then(
    () => true,
    () => false,
  );
  if (!recorded && (await isCluster(clusterDir))) {
    const lock = await readPostmasterPid(clusterDir);
    if (!lock || !isProcessAlive(lock.pid)) {
      log("discarding an embedded Postgres cluster whose data folder was deleted", { clusterDir });
      await rm(clusterDir, { recursive: true, force: true });
    }
  }
  await writePrivateFile(
    locationRecordOf(dataDir),
    `${JSON.stringify({ clusterDir, note: "the embedded Postgres of this data folder (kept here because Postgres runs as the postgres user)" }, null, 2)}\n`,
  );
}

/**
 * Runs initdb once per data folder. It initialises into a scratch folder and renames that into place, so a
 * crash mid-initdb never leaves a half-made cluster, and two processes starting at once cannot both initdb
 * the same folder: the first rename wins and the other scratch folder is discarded.
 */
export async function initialiseClusterOnce(dataDir: string, log: Log): Promise<void> {
  await claimExternalCluster(dataDir, log);
  const clusterDir = clusterDirOf(dataDir);
  if (await isCluster(clusterDir)) return;

  const parent = prepareClusterParent(dataDir);
  const scratchDir = path.join(parent, `postgres.init-${process.pid}-${randomBytes(4).toString("hex")}`);
  const output = new OutputTail();
  log("initialising the embedded Postgres cluster (first run only)", { clusterDir });
  try {
    await createPostgresServer({ databaseDir: scratchDir, port: 0, output, log }).initialise();
    await rename(scratchDir, clusterDir).catch(async (error: unknown) => {
      if (await isCluster(clusterDir)) return; // another process got there first
      throw new Error(`${clusterDir} exists but is not a Postgres cluster; move it away and try again.`, {
        cause: error,
      });
    });
  } catch (error) {
    throw new Error(
      `Could not initialise the embedded Postgres in ${clusterDir}: ${(error as Error).message}.` +
        `${runningAsRootHint()}\n${output}`,
      { cause: error },
    );
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}
