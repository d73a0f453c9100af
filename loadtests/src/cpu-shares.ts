import { readdirSync, readFileSync } from "node:fs";
import { clockTicksPerSec, readProcessCpuSeconds } from "./rss.ts";

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

/** Name of the whole machine's busy time: every process, and the kernel's own work. */
export const machineName = "machine (all processes and the kernel)";

/** CPU seconds the machine has been busy, all cores together (/proc/stat: user, nice, system, irq, softirq and steal); null where there is no /proc/stat. */
export function readMachineBusySeconds(): number | null {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return (user + nice + system + irq + softirq + steal) / clockTicksPerSec;
  } catch {
    return null;
  }
}

/** The system's processes, Postgres's, this bench's and the whole machine's CPU seconds, now. */
export function readCpu(processes: { name: string; pid: number }[]): CpuReading {
  const own = process.cpuUsage();
  return {
    atMs: performance.now(),
    seconds: new Map([
      ...processes.map((p): [string, number | null] => [p.name, readProcessCpuSeconds(p.pid)]),
      [postgresName, readPostgresCpuSeconds()],
      ["bench", (own.user + own.system) / 1e6],
      [machineName, readMachineBusySeconds()],
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

/**
 * The readings' processes, and the machine's busy cores apart (they are not one more process: summed with the
 * processes they would count everything twice), with what none of the processes accounts for: processes that came
 * and went between the readings (Postgres's autovacuum workers, say), the kernel's interrupt work, anything else
 * running on the machine.
 */
export function processesAndMachine<T extends { name: string; cores: number | null }>(cores: T[]) {
  const processes = cores.filter((c) => c.name !== machineName);
  const machine = cores.find((c) => c.name === machineName)?.cores ?? null;
  const ofProcesses = processes.reduce((sum, c) => sum + (c.cores ?? 0), 0);
  return { processes, ofProcesses, machine, unaccounted: machine === null ? null : Math.max(0, machine - ofProcesses) };
}
