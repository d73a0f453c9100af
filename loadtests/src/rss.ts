import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { basename } from "node:path";

export interface ProcessMemory {
  pid: number;
  /** Peak resident set size over the process's whole life (VmHWM), not only during the bench. */
  peakBytes: number;
  currentBytes: number;
}

const kbField = (status: string, field: string): number | null => {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
  return m ? Number(m[1]) * 1024 : null;
};

/** Null when the process is gone or not ours to read. */
export function readProcessMemory(pid: number): ProcessMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const peak = kbField(status, "VmHWM");
    const current = kbField(status, "VmRSS");
    return peak === null || current === null ? null : { pid, peakBytes: peak, currentBytes: current };
  } catch {
    return null;
  }
}

function argvOf(pid: string): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * The nats-server serving `natsUrl`. Several may run (the machine's own, a test's): prefer the one whose
 * command line names the URL's port, else the only one, else the first.
 */
export function findNatsServerPid(natsUrl: string): number | null {
  const first = natsUrl.split(",")[0]!.trim();
  const port = new URL(first.includes("://") ? first : `nats://${first}`).port || "4222";
  const candidates: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = argvOf(entry);
    if (argv[0] && basename(argv[0]) === "nats-server") candidates.push({ pid: Number(entry), argv });
  }
  const namesPort = candidates.find(
    (c) =>
      c.argv.some((a, i) => a === port && ["-p", "--port"].includes(c.argv[i - 1] ?? "")) ||
      c.argv.some((a) => a === `--port=${port}`),
  );
  // A server started without a port flag listens on 4222.
  const defaultPort =
    port === "4222" ? candidates.find((c) => !c.argv.some((a) => a === "-p" || a.startsWith("--port"))) : undefined;
  return (namesPort ?? defaultPort ?? candidates[0])?.pid ?? null;
}

/**
 * The process listening on a local TCP port, via /proc/net/tcp{,6} and the socket inodes in /proc/<pid>/fd:
 * finds the gateway's process when it is not the server named in server.json.
 */
export function findListeningPid(port: number): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  const inodes = new Set<string>();
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = readFileSync(table, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl local_address rem_address st ... inode; state 0A is LISTEN
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A" && cols[9]) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  if (inodes.size === 0) return null;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // fd closed meanwhile
      }
    }
  }
  return null;
}

/** Kernel clock ticks per second, the unit of CPU times in /proc/<pid>/stat (100 on every common Linux). */
export const clockTicksPerSec = 100;

/**
 * CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat; null when it is gone.
 * Two readings around a load give its CPU per request, independent of how the cores were shared.
 */
export function readProcessCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: count fields after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / clockTicksPerSec : null;
  } catch {
    return null;
  }
}

/** Peak RSS of this bench process (autocannon and the raw publisher run here). */
export function benchPeakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024; // maxRSS is in kilobytes
}
