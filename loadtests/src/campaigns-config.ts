import { type CpuPriority, cpuPriorities } from "@regulars/runtime";
import { z } from "zod";
import { BenchUsageError, benchFlagsOrExit, positiveFlag, wholeFlag } from "./bench-flags.ts";

export const campaignsUsage = `Usage: pnpm bench:campaigns [--members 100000] [--rate 20] [--latency-sec 20]
         [--timeout-sec 600] [--no-webhooks] [--planning-only] [--background-priority below_normal] [--json]

  --members       segment members the broadcast goes to (each with e-mail consent and an address)
  --rate          transactions per second posted before and during the broadcast (ingestion latency)
  --latency-sec   how long each latency measurement lasts
  --no-webhooks   no webhook endpoint subscribed to message.sent
  --planning-only the planning process alone: no consumers of its events and no sender (nothing is sent), so the
                  queueing figure is planning's own ceiling on this machine, the reference for the full run's
  --background-priority normal|below_normal|low
                  the CPU priority of the consumers' and the sender's processes (CPU_PRIORITY); below_normal by default,
                  as a machine shared by every role should run them; normal puts them level with planning and ingestion
  --timeout-sec   give up waiting for the broadcast's messages after this long
  --cpu-prof DIR  write the three workers processes' CPU profiles (consumers; planning; steps and sender) into DIR
  --json          print the figures as JSON on stdout
  --help`;

/** BENCH_WORKERS_ENV='{"DB_POOL_SIZE":"30"}' sets more of the workers process's settings, to try them. */
function workersEnv(): Record<string, string> {
  const raw = process.env.BENCH_WORKERS_ENV;
  if (!raw) return {};
  try {
    return z.record(z.string(), z.string()).parse(JSON.parse(raw));
  } catch {
    throw new BenchUsageError(`BENCH_WORKERS_ENV must be a JSON object of strings, e.g. {"DB_POOL_SIZE":"30"}: ${raw}`);
  }
}

const isCpuPriority = (value: string): value is CpuPriority => Object.hasOwn(cpuPriorities, value);

/** The bench's settings from its flags, checked; prints the usage and exits on --help or a bad flag. */
export const campaignsSettings = (argv: string[] = process.argv.slice(2)) =>
  benchFlagsOrExit(
    campaignsUsage,
    {
      members: { type: "string" },
      rate: { type: "string", short: "r" },
      "latency-sec": { type: "string" },
      "timeout-sec": { type: "string" },
      webhooks: { type: "boolean", default: true },
      "no-webhooks": { type: "boolean", default: false },
      "planning-only": { type: "boolean", default: false },
      "background-priority": { type: "string", default: "below_normal" },
      json: { type: "boolean", default: false },
      "cpu-prof": { type: "string" },
    },
    (flags) => {
      const backgroundPriority = flags["background-priority"];
      if (!isCpuPriority(backgroundPriority))
        throw new BenchUsageError(
          `--background-priority must be one of ${Object.keys(cpuPriorities).join(", ")}, got "${backgroundPriority}"`,
        );
      const planningOnly = flags["planning-only"];
      return {
        members: wholeFlag("members", flags.members, 100_000),
        rate: positiveFlag("rate", flags.rate, 20),
        latencySec: positiveFlag("latency-sec", flags["latency-sec"], 20),
        timeoutMs: positiveFlag("timeout-sec", flags["timeout-sec"], 600) * 1000,
        planningOnly,
        backgroundPriority,
        webhooks: flags.webhooks && !flags["no-webhooks"] && !planningOnly,
        cpuProf: flags["cpu-prof"],
        json: flags.json,
        workersEnv: workersEnv(),
      };
    },
    argv,
  );
