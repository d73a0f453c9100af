import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";

/** A process the bench started and must stop: a role of the system, or the HTTP ceiling reference. */
export interface BenchChild {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves when the process has exited (at once if it already has). */
  exited: Promise<number | null>;
  /** SIGTERM (the server drains and exits 0), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** The last lines the process wrote, for error messages. */
  tail(lines?: number): string;
}

export interface SpawnChildOptions {
  name: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** stdout and stderr both go here; the bench's own terminal stays readable. */
  logFile: string;
  /** Called with each chunk of stdout, e.g. to read a port the process announces. */
  onStdout?: (text: string) => void;
}

/**
 * The V8 flags every role of the system runs with, as the Dockerfile and `pnpm start` start them: a 64 MB
 * young-generation semi-space. The roles allocate per request and per message (bodies, parsed objects, SQL
 * parameters), and with V8's default (16 MB) the scavenger ran so often that it was a sixth of the gateway's CPU;
 * with 64 MB the gateway spent 0.165–0.169 ms of CPU per POST against 0.256–0.285 ms, and the ledger applied
 * 3,000–3,200 tx/s against 2,270–2,770, for about 100 MB more RSS per process (bench:ingest --spawn, same build).
 */
export const roleNodeFlags = ["--max-semi-space-size=64"];

/** Starts `node <args>` with its output in a log file; the child dies with the bench (see `stopAll`). */
export function spawnNodeChild(opts: SpawnChildOptions): BenchChild {
  const log = openSync(opts.logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, opts.args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", opts.onStdout ? "pipe" : log, log],
    });
  } finally {
    closeSync(log);
  }
  if (opts.onStdout) child.stdout!.setEncoding("utf8").on("data", opts.onStdout);
  if (child.pid === undefined) throw new Error(`could not start ${opts.name}`);
  const exited = new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
  });
  const tail = (lines = 20) => {
    try {
      return readFileSync(opts.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  };
  return {
    name: opts.name,
    pid: child.pid,
    logFile: opts.logFile,
    exited,
    tail,
    async stop(graceMs = 30_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Polls `check` until it returns a value; fails early with the child's output when the child exits first. */
export async function untilReady<T>(
  child: BenchChild,
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (exitCode !== undefined)
      throw new Error(`${child.name} exited (code ${exitCode}) before ${what}:\n${child.tail()}`);
    if (Date.now() > deadline)
      throw new Error(`${child.name} did not get ${what} within ${timeoutMs / 1000} s:\n${child.tail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
