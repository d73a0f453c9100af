import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Log } from "../log.ts";
import type { OutputTail } from "../output-tail.ts";
import { sleep } from "../sleep.ts";
import { binDirFor, postgresUser, type RunAs } from "./layout.ts";
import { readPostmasterPid } from "./postmaster-pid.ts";
import { INITDB_FLAGS, POSTGRES_FLAGS, POSTGRES_PASSWORD, POSTGRES_USER } from "./settings.ts";

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface PostgresServer {
  initialise(): Promise<void>;
  start(): Promise<void>;
  /** Fast shutdown (SIGINT), then waits until the postmaster has exited; SIGKILL after 30 s. */
  stop(): Promise<void>;
}

// Messages in English whatever the user's locale: the output ends up in error reports.
const childEnv = () => ({ ...process.env, LC_MESSAGES: "C", LC_ALL: "C" });

function run(binary: string, args: string[], runAs: RunAs | undefined, output: OutputTail): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { ...runAs, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    child.once("error", reject);
    child.once("close", (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(binary)} failed (code ${code}, signal ${signal})`)),
    );
  });
}

/**
 * One PostgreSQL cluster folder, run from the npm-installed binaries (as root: as the `postgres` user, from
 * a copy it can reach). The postmaster gets a process group of its own, so a Ctrl-C in the terminal reaches
 * only the app, which then stops Postgres itself once its work is drained.
 */
export function createPostgresServer(opts: {
  databaseDir: string;
  port: number;
  output: OutputTail;
  log: Log;
}): PostgresServer {
  const runAs = postgresUser();
  const binDir = binDirFor();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  // An app that exits without calling stop() must not leave a server behind holding the folder.
  const stopOnExit = () => child?.kill("SIGINT");

  return {
    async initialise() {
      // The folder exists before initdb, owned by the user Postgres runs as: initdb can then fill it even
      // where that user may not create folders (as root, the parent belongs to root).
      await mkdir(opts.databaseDir, { recursive: true, mode: 0o700 });
      await chmod(opts.databaseDir, 0o700);
      if (runAs) await chown(opts.databaseDir, runAs.uid, runAs.gid);
      const passwordFile = path.join(path.dirname(opts.databaseDir), `.pwfile-${randomBytes(6).toString("hex")}`);
      await writeFile(passwordFile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
      if (runAs) await chown(passwordFile, runAs.uid, runAs.gid);
      try {
        await run(
          path.join(binDir, "initdb"),
          [
            `--pgdata=${opts.databaseDir}`,
            "--auth=scram-sha-256",
            `--username=${POSTGRES_USER}`,
            `--pwfile=${passwordFile}`,
            ...INITDB_FLAGS,
          ],
          runAs,
          opts.output,
        );
      } finally {
        await rm(passwordFile, { force: true });
      }
    },

    async start() {
      const postmaster = spawn(
        path.join(binDir, "postgres"),
        ["-D", opts.databaseDir, "-p", String(opts.port), ...POSTGRES_FLAGS],
        {
          ...runAs,
          env: childEnv(),
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        },
      );
      child = postmaster;
      let running = true;
      exited = new Promise((resolve) => {
        postmaster.once("exit", () => {
          running = false;
          process.off("exit", stopOnExit);
          resolve();
        });
        postmaster.once("error", (error) => {
          opts.output.push(`could not run postgres: ${error.message}`);
          running = false;
          resolve();
        });
      });
      process.on("exit", stopOnExit);
      postmaster.stdout!.on("data", (chunk: Buffer) => opts.output.push(chunk.toString("utf8")));
      postmaster.stderr!.on("data", (chunk: Buffer) => opts.output.push(chunk.toString("utf8")));

      // Ready when Postgres says so in its lock file (line 8: "ready"), the documented signal pg_ctl uses.
      const deadline = Date.now() + START_TIMEOUT_MS;
      for (;;) {
        if (!running) throw new Error("postgres exited while starting");
        const lock = await readPostmasterPid(opts.databaseDir);
        if (lock && lock.pid === postmaster.pid && lock.status === "ready") return;
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(`postgres did not become ready within ${START_TIMEOUT_MS / 1000} s`);
        }
        await sleep(50);
      }
    },

    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT");
      const force = setTimeout(() => child?.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(force);
      opts.log("postgres exited", { postgresPid: child.pid });
    },
  };
}

export const runningAsRootHint = () =>
  process.getuid?.() === 0
    ? " Running as root: Postgres runs as the `postgres` system user from a copy of its binaries under /var/lib/regulars-embedded."
    : "";
