import { readdirSync } from "node:fs";
import { constants, getPriority, setPriority } from "node:os";

/**
 * How a process shares the cores with the others on its machine (`CPU_PRIORITY`). Roles whose work can wait a
 * little (the analytics and profile consumers, the message and webhook senders) run `below_normal` beside roles a
 * customer is waiting on (the gateway, the ledger, the API, a broadcast's planning): when the cores are short,
 * the waiting kind goes first and the rest catches up when they are free. Nothing is slower on an idle machine.
 */
export const cpuPriorities = {
  normal: constants.priority.PRIORITY_NORMAL,
  below_normal: constants.priority.PRIORITY_BELOW_NORMAL,
  low: constants.priority.PRIORITY_LOW,
} as const;
export type CpuPriority = keyof typeof cpuPriorities;

/**
 * Gives the whole process the priority. Linux keeps a nice value per thread and `setpriority` on the process id
 * reaches the main thread only, so each thread already running (V8's helpers, libuv's pool, an embedded
 * ClickHouse's) is set from /proc/self/task; threads started later inherit it from the thread that starts them.
 * Only ever lowers (raising needs privileges the roles do not have). Returns how many threads it set.
 */
export function applyCpuPriority(priority: CpuPriority): number {
  const nice = cpuPriorities[priority];
  if (nice === cpuPriorities.normal) return 0;
  let threads: number[];
  try {
    threads = readdirSync("/proc/self/task").map(Number);
  } catch {
    threads = [0]; // no /proc (not Linux): the process itself, which is all other systems know
  }
  let set = 0;
  for (const thread of threads) {
    try {
      if (getPriority(thread) >= nice) continue;
      setPriority(thread, nice);
      set++;
    } catch {
      // The thread ended between the listing and here.
    }
  }
  return set;
}
