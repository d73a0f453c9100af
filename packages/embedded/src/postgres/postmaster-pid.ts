import { readFile } from "node:fs/promises";
import path from "node:path";

/**
 * Reads the lock file a running Postgres keeps in its cluster folder (line 1: pid, line 4: port, line 8:
 * status such as `starting`, `ready`, `stopping`). It is Postgres's own word on which process owns the
 * folder, so it guards against a reused pid in postgres.json.
 */
export async function readPostmasterPid(
  clusterDir: string,
): Promise<{ pid: number; port: number; status?: string } | undefined> {
  const text = await readFile(path.join(clusterDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const lines = text?.split("\n") ?? [];
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 0 ? { pid, port, status: lines[7]?.trim() || undefined } : undefined;
}
