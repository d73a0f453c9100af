import { readdirSync, readFileSync } from "node:fs";
import { readProcessCpuSeconds } from "./rss.ts";

/** CPU seconds used so far by each named process, read at one moment. */
export interface CpuReading {
  atMs: number;
  seconds: Map<string, number | null>;
}

/** Name of Postgres's processes, of every database: the bench cannot tell its backends from the others'. */
export const postgresName = "postgres (all backends)";

/** CPU seconds of every process named `postgres` (the server and all its backends); null when there is none. */
export function readPostgresCpuSeconds(): number | null {
  let total: number | null = null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let comm: string;
    try {
      comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
    } catch {
      continue; // gone meanwhile
    }
    if (comm !== "postgres") continue;
    const seconds = readProcessCpuSeconds(Number(entry));
    if (seconds !== null) total = (total ?? 0) + seconds;
  }
  return total;
}

/** The system's processes, Postgres's and this bench's CPU seconds, now. */
export function readCpu(processes: { name: string; pid: number }[]): CpuReading {
  const own = process.cpuUsage();
  return {
    atMs: performance.now(),
    seconds: new Map([
      ...processes.map((p): [string, number | null] => [p.name, readProcessCpuSeconds(p.pid)]),
      [postgresName, readPostgresCpuSeconds()],
      ["bench", (own.user + own.system) / 1e6],
    ]),
  };
}

/**
 * Cores each process kept busy on average between two readings (1.0 = one core all the time): with the
 * machine's core count beside their total, whether the run was short of CPU. A process missing from either
 * reading (not started, gone, not readable) is null. Postgres backends that ended between the readings are
 * not counted, so its figure is a floor.
 */
export function coresBetween(before: CpuReading, after: CpuReading): { name: string; cores: number | null }[] {
  const seconds = (after.atMs - before.atMs) / 1_000;
  return [...after.seconds].map(([name, end]) => {
    const start = before.seconds.get(name);
    const cores =
      seconds > 0 && end !== null && start !== null && start !== undefined ? Math.max(0, end - start) / seconds : null;
    return { name, cores };
  });
}
