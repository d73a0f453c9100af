import { parseArgs } from "node:util";
import { BenchUsageError } from "./running-system.ts";
import { type BenchTarget, benchTarget } from "./target-config.ts";

export interface LatencyConfig {
  ratePerSec: number;
  warmupSec: number;
  durationSec: number;
  /** Every n-th transaction names a new customer whose balance is polled; the others are load only. */
  measureEvery: number;
  pollMs: number;
  /** Lookups per batched tRPC request (the API refuses more than its API_MAX_BATCH). */
  pollBatch: number;
  visibleTimeoutSec: number;
  json: boolean;
  target: BenchTarget;
}

export const latencyUsage = `Usage: pnpm bench:latency [flags]

  --spawn                 start a system of its own (gateway, ledger workers and API each in its own process,
                          a fresh database and nats-server, all removed afterwards); default: a running system
  --ledger-workers <n>    ledger worker processes with --spawn (default 2)
  --nats-cluster <n>      with --spawn: a JetStream cluster of n nats-server processes on loopback instead of one,
                          the streams replicated on 3 nodes as in production
  --rate <tx/s>           fixed arrival rate of transactions (default 1000)
  --duration <s>          how long to post, measured (default 60)
  --warmup <s>            arrivals before, not counted: the rate rises from 0 over its first half, then holds;
                          cold processes settle (default 20)
  --measure-every <n>     every n-th transaction names a new customer whose balance is polled (default 20)
  --poll-ms <ms>          how often outstanding balances are read (default 100): the resolution of the figures
  --poll-batch <n>        customers.get calls per batched tRPC request (default 100 with --spawn, else 20)
  --visible-timeout <s>   count a transaction as never visible after this long (default 30)
  --json                  print only the one-line JSON result on stdout

  Against a running system (start it with RATE_LIMIT_POS=off RATE_LIMIT_ADMIN=off):
  --data-dir <dir>        its data folder (default: REGULARS_DATA_DIR, else <repo>/.data)
  --gateway <url>, --api <url>, --key <pos key>, --admin-key <admin key>   (default: from server.json and the demo keys)`;

function number(name: string, raw: string | undefined, fallback: number, integer = true): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new BenchUsageError(`--${name} must be a positive ${integer ? "whole " : ""}number, got "${raw}"`);
  return n;
}

/** Returns null when --help was asked for. */
export function loadLatencyConfig(argv: string[] = process.argv.slice(2), serverJson?: string): LatencyConfig | null {
  let values: ReturnType<typeof parse>["values"];
  const parse = () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        spawn: { type: "boolean", default: false },
        "ledger-workers": { type: "string" },
        "nats-cluster": { type: "string" },
        rate: { type: "string" },
        duration: { type: "string" },
        warmup: { type: "string" },
        "measure-every": { type: "string" },
        "poll-ms": { type: "string" },
        "poll-batch": { type: "string" },
        "visible-timeout": { type: "string" },
        json: { type: "boolean", default: false },
        help: { type: "boolean", default: false },
        "data-dir": { type: "string" },
        gateway: { type: "string" },
        api: { type: "string" },
        key: { type: "string" },
        "admin-key": { type: "string" },
      },
    });
  try {
    ({ values } = parse());
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message}\n\n${latencyUsage}`);
  }
  if (values.help) return null;
  const common = {
    ratePerSec: number("rate", values.rate, 1_000, false),
    durationSec: number("duration", values.duration, 60, false),
    warmupSec: values.warmup === "0" ? 0 : number("warmup", values.warmup, 20, false),
    // 3,000 timed transactions a minute at 1,000 tx/s: enough for a p99, and their polls stay a small load. At
    // every 5th, the polls (thousands of customers.get a second once answers lag) took more of the 2 cores
    // than the ledger and made the lag they measured: visible p50 0.5 s at every 20th, 9.9 s at every 5th.
    measureEvery: number("measure-every", values["measure-every"], 20),
    pollMs: number("poll-ms", values["poll-ms"], 100),
    pollBatch: number("poll-batch", values["poll-batch"], values.spawn ? 100 : 20),
    visibleTimeoutSec: number("visible-timeout", values["visible-timeout"], 30, false),
    json: values.json,
  };
  return { ...common, target: benchTarget(values, (raw) => number("ledger-workers", raw, 2), serverJson) };
}
