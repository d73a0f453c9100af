import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `pnpm regulars <args>` as operators do: a separate process, configured only through the
 * environment. REGULARS_DATA_DIR points nowhere unless `env` says otherwise, so a test never falls
 * back to the embedded Postgres or NATS of the developer's own data folder.
 */
export function runRegularsCli(args: string[], env: Record<string, string | undefined>): Promise<CliRun> {
  return startRegularsCli(args, env).finished;
}

export interface StartedCli {
  /** The CLI's own process (node itself, not a shell or wrapper): a signal sent to it reaches the CLI. */
  child: ChildProcess;
  /** Resolves when it has exited; `child.signalCode` then tells a death by signal. */
  finished: Promise<CliRun>;
}

/** `runRegularsCli`, with the running process in hand: for a test that signals it mid-command. */
export function startRegularsCli(args: string[], env: Record<string, string | undefined>): StartedCli {
  const child = spawn(process.execPath, ["--import", "tsx", "apps/cli/src/main.ts", ...args], {
    cwd: repoRoot,
    env: { ...process.env, REGULARS_DATA_DIR: "/nonexistent-regulars-cli-test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const finished = new Promise<CliRun>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  return { child, finished };
}
