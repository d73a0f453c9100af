import { probePort } from "../port-probe.ts";
import { isProcessAlive } from "../process-alive.ts";
import { sleep } from "../sleep.ts";
import { readPostmasterPid } from "./postmaster-pid.ts";
import { type PostgresRecord, readPostgresRecord } from "./record.ts";
import { clusterDirOf } from "./settings.ts";

/** The Postgres recorded in `${dataDir}/postgres.json`, if it is really still running from that folder. */
export async function findRunningPostgres(dataDir: string): Promise<PostgresRecord | undefined> {
  const record = await readPostgresRecord(dataDir);
  if (!record || !isProcessAlive(record.pid)) return undefined;
  const lock = await readPostmasterPid(clusterDirOf(dataDir));
  if (lock?.pid !== record.pid) return undefined;
  const probe = await probePort(record.port);
  return probe.open ? record : undefined;
}

/**
 * Another process holds the cluster folder (its postmaster.pid names a live process): wait until that process
 * has finished starting and recorded itself. Undefined if the holder dies first; throws if it never records.
 */
export async function waitForOtherStarter(dataDir: string, timeoutMs = 60_000): Promise<PostgresRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = await readPostmasterPid(clusterDirOf(dataDir));
    if (!lock || !isProcessAlive(lock.pid)) return undefined;
    const running = await findRunningPostgres(dataDir);
    if (running) return running;
    if (Date.now() > deadline) {
      throw new Error(
        `A Postgres (pid ${lock.pid}, port ${lock.port}) is running from ${clusterDirOf(dataDir)} but is not ` +
          `recorded in ${dataDir}/postgres.json. Stop it (kill ${lock.pid}) and try again.`,
      );
    }
    await sleep(250);
  }
}
