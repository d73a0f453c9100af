import { parseArgs } from "node:util";
import { BenchUsageError } from "./running-system.ts";
import { type BenchTarget, benchTarget } from "./target-config.ts";

export interface CheckoutConfig {
  /** Members seeded with points, each by one big sale. */
  customers: number;
  /** Quote loads, one after another, each at a fixed rate for `quoteDurationSec`. */
  quoteRates: number[];
  quoteDurationSec: number;
  /**
   * Where the quotes are asked: the gateway's `POST /v1/checkout/quote` (POS integrators) or the API's tRPC
   * `checkout.quote` (the kiosk app); the CPU per request is that process's.
   */
  quotesVia: "gateway" | "api";
  holdRate: number;
  holdDurationSec: number;
  /** Arrivals at the load's rate before each measured load, not counted. */
  warmupSec: number;
  /** Points each hold reserves. */
  holdPoints: number;
  /** Unique codes generated (0: skip the codes). */
  codes: number;
  json: boolean;
  /** With --spawn: the folder for the gateway's `--cpu-prof` profile, or null. */
  cpuProfDir: string | null;
  target: BenchTarget;
}

export const checkoutUsage = `Usage: pnpm bench:checkout [flags]

  --spawn                 start a system of its own (gateway, ledger workers and API each in its own process,
                          a fresh database and nats-server, all removed afterwards); default: a running system
  --ledger-workers <n>    ledger worker processes with --spawn (default 2)
  --customers <n>         members seeded with points, one big sale each (default 200)
  --quote-rates <list>    quote loads at these fixed rates, one after another (default 200,500)   env CHECKOUT_QUOTE_RATES
  --quote-duration <s>    measured seconds of each quote load (default 30)                        env CHECKOUT_QUOTE_DURATION
  --quotes-via <where>    gateway (POST /v1/checkout/quote, as POS integrators) or api (tRPC checkout.quote, as
                          the kiosk app) (default gateway)
  --hold-rate <n/s>       holds per second (default 100)                                          env CHECKOUT_HOLD_RATE
  --hold-duration <s>     measured seconds of holds (default 20)                                  env CHECKOUT_HOLD_DURATION
  --warmup <s>            arrivals at the same rate before each load, not counted (default 5)     env CHECKOUT_WARMUP
  --hold-points <n>       points each hold reserves (default 50)
  --codes <n>             unique coupon codes to generate, 0 to skip (default 100000)             env CHECKOUT_CODES
  --json                  print only the one-line JSON result on stdout
  --cpu-prof <dir>        with --spawn: write the gateway's CPU profile (node --cpu-prof) into <dir>

  Against a running system (start it with RATE_LIMIT_POS=off RATE_LIMIT_ADMIN=off): it adds members, a coupon
  campaign (and one of --codes codes, paused afterwards) to the demo tenant, and sets the redemption rate
  (100 points = 5.00, at least 50, at most 10.00 an order) only when the tenant has none.
  --data-dir <dir>        its data folder (default: REGULARS_DATA_DIR, else <repo>/.data)
  --gateway <url>, --api <url>, --key <pos key>, --admin-key <admin key>   (default: from server.json and the demo keys)`;

function quotesVia(raw: string): CheckoutConfig["quotesVia"] {
  if (raw !== "gateway" && raw !== "api")
    throw new BenchUsageError(`--quotes-via must be gateway or api, got "${raw}"`);
  return raw;
}

function positive(
  name: string,
  raw: string | undefined,
  fallback: number,
  opts: { integer?: boolean; zero?: boolean } = {},
) {
  const n = raw === undefined ? fallback : Number(raw);
  const integer = opts.integer ?? true;
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !opts.zero) || (integer && !Number.isInteger(n)))
    throw new BenchUsageError(
      `--${name} must be a ${opts.zero ? "" : "positive "}${integer ? "whole " : ""}number${opts.zero ? " ≥ 0" : ""}, got "${raw}"`,
    );
  return n;
}

function rates(raw: string | undefined): number[] {
  if (raw === undefined) return [200, 500];
  const list = raw.split(",").map((r) => r.trim());
  if (list.length === 0 || list.some((r) => r === ""))
    throw new BenchUsageError(`--quote-rates takes rates separated by commas (e.g. 200,500), got "${raw}"`);
  return list.map((r) => positive("quote-rates", r, 0, { integer: false }));
}

/** Returns null when --help was asked for. Flags win over the CHECKOUT_* environment variables. */
export function loadCheckoutConfig(
  argv: string[] = process.argv.slice(2),
  env: Record<string, string | undefined> = process.env,
  serverJson?: string,
): CheckoutConfig | null {
  const parse = () =>
    parseArgs({
      args: argv,
      strict: true,
      options: {
        spawn: { type: "boolean", default: false },
        "ledger-workers": { type: "string" },
        customers: { type: "string" },
        "quote-rates": { type: "string" },
        "quote-duration": { type: "string" },
        "quotes-via": { type: "string", default: "gateway" },
        "hold-rate": { type: "string" },
        "hold-duration": { type: "string" },
        warmup: { type: "string" },
        "hold-points": { type: "string" },
        codes: { type: "string" },
        json: { type: "boolean", default: false },
        "cpu-prof": { type: "string" },
        help: { type: "boolean", default: false },
        "data-dir": { type: "string" },
        gateway: { type: "string" },
        api: { type: "string" },
        key: { type: "string" },
        "admin-key": { type: "string" },
      },
    });
  let values: ReturnType<typeof parse>["values"];
  try {
    ({ values } = parse());
  } catch (e) {
    throw new BenchUsageError(`${(e as Error).message}\n\n${checkoutUsage}`);
  }
  if (values.help) return null;
  const common = {
    customers: positive("customers", values.customers, 200),
    quoteRates: rates(values["quote-rates"] ?? env.CHECKOUT_QUOTE_RATES),
    quoteDurationSec: positive("quote-duration", values["quote-duration"] ?? env.CHECKOUT_QUOTE_DURATION, 30, {
      integer: false,
    }),
    quotesVia: quotesVia(values["quotes-via"]),
    holdRate: positive("hold-rate", values["hold-rate"] ?? env.CHECKOUT_HOLD_RATE, 100, { integer: false }),
    holdDurationSec: positive("hold-duration", values["hold-duration"] ?? env.CHECKOUT_HOLD_DURATION, 20, {
      integer: false,
    }),
    warmupSec: positive("warmup", values.warmup ?? env.CHECKOUT_WARMUP, 5, { integer: false, zero: true }),
    holdPoints: positive("hold-points", values["hold-points"], 50),
    codes: positive("codes", values.codes ?? env.CHECKOUT_CODES, 100_000, { zero: true }),
    json: values.json,
    cpuProfDir: values["cpu-prof"] ?? null,
  };
  if (common.cpuProfDir && !values.spawn)
    throw new BenchUsageError("--cpu-prof applies to a system the bench starts: add --spawn");
  return { ...common, target: benchTarget(values, (raw) => positive("ledger-workers", raw, 2), serverJson) };
}

/**
 * Points each member gets: enough for every hold of the run (warm-up included) to reserve `holdPoints` at
 * once, as holds go to the members in turn, twice over, and never under 5,000.
 */
export function seedPointsPerCustomer(
  cfg: Pick<CheckoutConfig, "customers" | "holdRate" | "holdDurationSec" | "warmupSec" | "holdPoints">,
): number {
  const holds = Math.round(cfg.holdRate * (cfg.holdDurationSec + cfg.warmupSec));
  return Math.max(5_000, 2 * Math.ceil(holds / cfg.customers) * cfg.holdPoints);
}
