import { createLogger, type Logger } from "@regulars/logger";
import { loadConfig, type ServerConfig } from "./config.ts";
import { applyCpuPriority } from "./cpu-priority.ts";

export interface Started {
  stop(): Promise<void>;
  /** Printed once everything is up (where things are). */
  banner?: string;
}

/**
 * A process's main: configuration validated once, a logger, and a clean stop on SIGINT / SIGTERM, also
 * when the signal arrives while still starting. A start-up failure is one readable line, not a stack. A promise
 * that failed with nobody handling it also stops the process cleanly (exit code 1), rather than Node ending it
 * mid-batch with every role it runs.
 */
export function runMain(name: string, start: (config: ServerConfig, log: Logger) => Promise<Started>): void {
  const run = async () => {
    const config = loadConfig(process.env);
    const log = createLogger({
      level: config.LOG_LEVEL,
      pretty: (config.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json")) === "pretty",
    });
    // Before anything starts, so every thread the process starts later inherits it.
    if (config.CPU_PRIORITY !== "normal")
      log.info(
        { priority: config.CPU_PRIORITY, threads: applyCpuPriority(config.CPU_PRIORITY) },
        "CPU priority lowered",
      );

    // Installed before anything starts: a Ctrl-C during start-up must still stop what has started so far.
    let stopRequested: string | null = null;
    let stop: (() => Promise<void>) | null = null;
    let exitCode = 0;
    const shutdown = async (signal: string) => {
      if (stopRequested) {
        // A terminal sends Ctrl-C to every process of the group and launchers forward it again: repeats are expected.
        log.info({ signal }, "already shutting down; waiting for Postgres and NATS to stop");
        return;
      }
      stopRequested = signal;
      log.info({ signal }, "shutting down");
      if (!stop) return; // start-up is still running; it stops what it started when it finishes
      // A dependency that never answers must not keep the process alive forever; a supervisor restarts it.
      setTimeout(() => {
        log.error({ signal }, "shutdown did not finish within 60 s; exiting anyway");
        process.exit(1);
      }, 60_000).unref();
      try {
        await stop();
        process.exit(exitCode);
      } catch (e) {
        log.error({ err: e }, "shutdown failed");
        process.exit(1);
      }
    };
    process.on("SIGINT", () => void shutdown("SIGINT"));
    process.on("SIGTERM", () => void shutdown("SIGTERM"));
    // Last resort: every promise should have its handler. A bug that leaves one without must not end the process
    // mid-batch (claims half-run, results unrecorded); what is in hand finishes, and a supervisor restarts it.
    process.on("unhandledRejection", (reason) => {
      exitCode = 1;
      log.fatal(
        { err: reason, process: name, alreadyStopping: stopRequested !== null },
        "a promise failed and nothing handled it (a bug): stopping cleanly, exit code 1",
      );
      void shutdown("unhandledRejection");
    });

    const started = await start(config, log);
    stop = () => started.stop();
    if (stopRequested) {
      await started.stop();
      process.exit(exitCode);
    }
    if (started.banner) process.stdout.write(started.banner);
  };
  run().catch((e: Error) => {
    process.stderr.write(`\n${name} could not start: ${e.message}\n`);
    process.exit(1);
  });
}
