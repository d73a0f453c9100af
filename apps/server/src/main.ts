import { createLogger } from "@regulars/logger";
import { startBanner } from "./banner.ts";
import { loadConfig, parseRoles } from "./config.ts";
import { startSystem } from "./system.ts";

/** `regulars-server [--role all|gateway|workers|api]`: the one entry point of every deployment. */
async function main() {
  const config = loadConfig(process.env);
  const roles = parseRoles(process.argv.slice(2));
  const log = createLogger({
    level: config.LOG_LEVEL,
    pretty: (config.LOG_FORMAT ?? (process.stdout.isTTY ? "pretty" : "json")) === "pretty",
  });

  // Installed before anything starts: a Ctrl-C during start-up must still stop what has started so far.
  let stopRequested: string | null = null;
  let stopSystem: (() => Promise<void>) | null = null;
  const shutdown = async (signal: string) => {
    if (stopRequested) {
      // A terminal sends Ctrl-C to every process of the group and launchers forward it again: repeats are expected.
      log.info({ signal }, "already shutting down; waiting for Postgres and NATS to stop");
      return;
    }
    stopRequested = signal;
    log.info({ signal }, "shutting down");
    if (!stopSystem) return; // start-up is still running; it stops what it started when it finishes
    // A dependency that never answers must not keep the process alive forever; a supervisor restarts it.
    setTimeout(() => {
      log.error({ signal }, "shutdown did not finish within 60 s; exiting anyway");
      process.exit(1);
    }, 60_000).unref();
    try {
      await stopSystem();
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  const system = await startSystem(config, roles, log);
  stopSystem = () => system.stop();
  if (stopRequested) {
    await system.stop();
    process.exit(0);
  }
  process.stdout.write(startBanner(system));
}

main().catch((e: Error) => {
  process.stderr.write(`\nRegulars could not start: ${e.message}\n`);
  process.exit(1);
});
