import { randomBytes } from 'node:crypto';
import { access, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Log } from '../log.ts';
import { OutputTail } from '../output-tail.ts';
import { createPostgresServer, runningAsRootHint } from './server.ts';
import { clusterDirOf } from './settings.ts';

const isCluster = (dir: string) =>
  access(path.join(dir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );

/**
 * Runs initdb once per data folder. It initialises into a scratch folder and renames that into place, so a
 * crash mid-initdb never leaves a half-made cluster, and two processes starting at once cannot both initdb
 * the same folder: the first rename wins and the other scratch folder is discarded.
 */
export async function initialiseClusterOnce(dataDir: string, log: Log): Promise<void> {
  const clusterDir = clusterDirOf(dataDir);
  if (await isCluster(clusterDir)) return;

  const scratchDir = path.join(dataDir, `postgres.init-${process.pid}-${randomBytes(4).toString('hex')}`);
  const output = new OutputTail();
  log('initialising the embedded Postgres cluster (first run only)', { clusterDir });
  try {
    const server = await createPostgresServer({ databaseDir: scratchDir, port: 0, output, log });
    await server.initialise();
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
