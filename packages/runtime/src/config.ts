import { isIP } from "node:net";
import type { AnalyticsConfig } from "@regulars/analytics";
import { busDefaults, DEFAULT_PARTITIONS, MAX_PARTITIONS } from "@regulars/bus";
import { unknownCodeDefaults } from "@regulars/checkout";
import { defaultOccurredAtWindow } from "@regulars/contracts";
import { httpDefaults, RateLimitSetting } from "@regulars/http-guards";
import { ledgerDefaults } from "@regulars/ledger-store";
import { CredentialCache } from "@regulars/tenancy";
import { z } from "zod";
import { envNumber } from "./env-number.ts";
import { MessageSettings } from "./messages-config.ts";

const port = (fallback: number) => envNumber(z.coerce.number().int().min(0).max(65_535).default(fallback));
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional());
const commaList = (s: string) =>
  s
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** An IP address (`10.0.0.7`) or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`). */
const isAddressOrBlock = (entry: string): boolean => {
  const [address = "", prefix, ...more] = entry.split("/");
  const family = isIP(address);
  if (!family || more.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
};

/** Where ClickHouse is: a server over HTTP, or (no URL) chdb in the data folder. The CLI reads these too. */
export const ClickHouseSettings = z.object({
  CLICKHOUSE_URL: optionalUrl,
  CLICKHOUSE_USER: z.string().optional(),
  CLICKHOUSE_PASSWORD: z.string().optional(),
  CLICKHOUSE_DATABASE: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/)
    .default("regulars"),
});
export type ClickHouseSettings = z.infer<typeof ClickHouseSettings>;

/** The analytics connection the settings describe; chdb keeps its files in `<dataDir>/clickhouse`. */
export const analyticsConfigOf = (config: ClickHouseSettings, dataDir: string): AnalyticsConfig =>
  config.CLICKHOUSE_URL
    ? {
        kind: "http",
        url: config.CLICKHOUSE_URL,
        username: config.CLICKHOUSE_USER,
        password: config.CLICKHOUSE_PASSWORD,
        database: config.CLICKHOUSE_DATABASE,
      }
    : { kind: "chdb", path: `${dataDir}/clickhouse`, database: config.CLICKHOUSE_DATABASE };

/**
 * Every setting a Regulars process reads, validated once at start; defaults come from the packages that
 * use them (`busDefaults`, `httpDefaults`, `ledgerDefaults`, `unknownCodeDefaults`), so each is stated once. Unset URLs mean "embedded": a local
 * Postgres from npm, a local nats-server, and chdb in-process.
 */
export const ServerConfig = z.object({
  DATABASE_URL: optionalUrl,
  NATS_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .regex(/^(nats|tls):\/\/[^,]+(,(nats|tls):\/\/[^,]+)*$/, "must be nats:// or tls:// URLs, comma-separated")
      .optional(),
  ),
  /** Copies of each stream on a NATS cluster (1 on a single server, 3 on a three-node cluster). */
  NATS_REPLICAS: envNumber(z.coerce.number().int().min(1).max(5).default(1)),
  ...ClickHouseSettings.shape,
  REGULARS_DATA_DIR: z.string().optional(),
  REGULARS_NAMESPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/)
    .default("regulars"),
  REGULARS_DEMO: z.enum(["auto", "on", "off"]).default("auto"),
  HOST: z.string().default("127.0.0.1"),
  GATEWAY_PORT: port(4000),
  API_PORT: port(4001),
  WORKERS_PORT: port(4002),
  EMBEDDED_POSTGRES_PORT: port(54329),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_FORMAT: z.enum(["pretty", "json"]).optional(),
  /** This process's share of the cores beside the others on its machine (see cpu-priority.ts). */
  CPU_PRIORITY: z.enum(["normal", "below_normal", "low"]).default("normal"),
  WORKERS: z
    .string()
    .default("ledger,events,analytics,profiles,jobs,webhooks,messages,campaigns")
    .transform((s) =>
      s
        .split(",")
        .map((w) => w.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(["ledger", "events", "analytics", "profiles", "jobs", "webhooks", "messages", "campaigns"]))),
  /** Webhook attempts in flight per workers process, and per endpoint; how long one waits for an answer. */
  WEBHOOK_CONCURRENCY: envNumber(z.coerce.number().int().min(1).max(1_000).default(32)),
  WEBHOOK_PER_ENDPOINT: envNumber(z.coerce.number().int().min(1).max(100).default(4)),
  WEBHOOK_TIMEOUT_MS: envNumber(z.coerce.number().int().min(100).max(60_000).default(10_000)),
  /** Accept webhook endpoints on this machine or a private network over http (development only). */
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  ...MessageSettings.shape,
  JOBS_INTERVAL_MS: envNumber(z.coerce.number().int().min(1_000).default(ledgerDefaults.jobsIntervalMs)),
  /**
   * How long messages every reader is done with stay on their streams (unread ones stay however old). At least as
   * long as Postgres can be restored back: the ledger then re-reads from the restored positions.
   */
  STREAM_KEEP_READ_DAYS: envNumber(
    z.coerce
      .number()
      .min(1)
      .max(365)
      .default(busDefaults.keepReadMs / (24 * 60 * 60 * 1000)),
  ),
  LEDGER_BATCH_SIZE: envNumber(z.coerce.number().int().min(1).max(5_000).default(busDefaults.maxBatch)),
  /** Partitions the ledger is spread over: the same in every gateway and worker (changing it means draining first). */
  LEDGER_PARTITIONS: envNumber(z.coerce.number().int().min(1).max(MAX_PARTITIONS).default(DEFAULT_PARTITIONS)),
  /** How long a ledger worker holds its partitions without renewing: a crashed worker's are taken over after it. */
  LEDGER_LEASE_MS: envNumber(z.coerce.number().int().min(1_000).default(ledgerDefaults.leaseMs)),
  /** How long a ledger worker waits for a fuller batch when few messages are ready; 0 applies at once. */
  LEDGER_LINGER_MS: envNumber(z.coerce.number().int().min(0).max(1_000).default(ledgerDefaults.lingerMs)),
  /** Batches a ledger worker applies at once, each of other partitions (each holds a database connection). */
  LEDGER_CONCURRENT_BATCHES: envNumber(
    z.coerce.number().int().min(1).max(16).default(ledgerDefaults.concurrentBatches),
  ),
  MAX_DELIVER: envNumber(z.coerce.number().int().min(1).max(100).default(busDefaults.maxDeliver)),
  ACK_WAIT_MS: envNumber(z.coerce.number().int().min(1_000).default(busDefaults.ackWaitMs)),
  /** Longest wait between probes of a dependency that is down, while its consumer is paused. */
  CONSUMER_PAUSE_MAX_MS: envNumber(z.coerce.number().int().min(100).default(busDefaults.pauseMaxMs)),
  DEDUPE_WINDOW_SECONDS: envNumber(
    z.coerce
      .number()
      .int()
      .min(1)
      .default(busDefaults.duplicateWindowMs / 1000),
  ),
  DB_POOL_SIZE: envNumber(z.coerce.number().int().min(1).max(200).default(10)),
  CREDENTIAL_CACHE_TTL_MS: envNumber(z.coerce.number().int().min(0).default(CredentialCache.defaultTtlMs)),
  MAX_BODY_BYTES: envNumber(z.coerce.number().int().min(1_024).default(httpDefaults.maxBodyBytes)),
  /** Requests per second / burst per API key, by the key's role (gateway and tRPC); `off` for no limit. */
  RATE_LIMIT_POS: RateLimitSetting("50/100"),
  RATE_LIMIT_KIOSK: RateLimitSetting("50/100"),
  RATE_LIMIT_ADMIN: RateLimitSetting("10/30"),
  RATE_LIMIT_ANALYST: RateLimitSetting("5/20"),
  /** The brand app's backend: sign-ups, profiles, consents and QR tokens for many users through one key. */
  RATE_LIMIT_APP: RateLimitSetting("50/100"),
  /**
   * Coupon codes answered `unknown_code` to one API key or staff member within the window before its quotes and holds
   * that carry codes are refused (429) until the window has passed (gateway and tRPC).
   */
  COUPON_UNKNOWN_CODE_LIMIT: envNumber(z.coerce.number().int().min(1).max(10_000).default(unknownCodeDefaults.limit)),
  COUPON_UNKNOWN_CODE_WINDOW_SECONDS: envNumber(
    z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60 * 60)
      .default(unknownCodeDefaults.windowSeconds),
  ),
  /** Most calls one batched tRPC request may carry. */
  API_MAX_BATCH: envNumber(z.coerce.number().int().min(1).max(200).default(httpDefaults.maxTrpcBatch)),
  /** How old an `occurredAt` may be (offline POS uploads) and how far ahead (clock skew) before a 400. */
  OCCURRED_AT_MAX_AGE_DAYS: envNumber(
    z.coerce.number().int().min(1).max(3_650).default(defaultOccurredAtWindow.maxAgeDays),
  ),
  OCCURRED_AT_MAX_AHEAD_SECONDS: envNumber(
    z.coerce.number().int().min(0).default(defaultOccurredAtWindow.maxAheadSeconds),
  ),
  /** How long a refund waits for the sale it refunds (an offline till uploading late) before it is rejected. */
  REFUND_WAIT_SECONDS: envNumber(
    z.coerce
      .number()
      .int()
      .min(1)
      .default(ledgerDefaults.refundWaitMs / 1000),
  ),
  /**
   * The gateway's URL as browsers reach it (the kiosk app posts sales there); by default the host the app
   * was loaded from, on GATEWAY_PORT.
   */
  PUBLIC_GATEWAY_URL: optionalUrl,
  /** Browser origins allowed to call the tRPC API (the admin and kiosk web apps). */
  API_CORS_ORIGINS: z.string().default(httpDefaults.corsOrigins.join(",")).transform(commaList),
  /**
   * Proxies (load balancers) in front of the API whose X-Forwarded-For is believed: IP addresses or CIDR blocks,
   * comma-separated. Sign-in is throttled by the client's address, which only they can tell; none by default.
   */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .transform(commaList)
    .superRefine((entries, ctx) => {
      for (const entry of entries.filter((e) => !isAddressOrBlock(e)))
        ctx.addIssue({ code: "custom", message: `"${entry}" is not an IP address or a CIDR block like 10.0.0.0/8` });
    }),
});
export type ServerConfig = z.infer<typeof ServerConfig>;

export const Role = z.enum(["gateway", "workers", "api"]);
export type Role = z.infer<typeof Role>;

/** `--role all` (default) or a comma list; in production each role runs as its own process. */
export function parseRoles(argv: string[]): Role[] {
  const i = argv.indexOf("--role");
  const value = i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith("--role="))?.slice(7);
  if (!value || value === "all") return [...Role.options];
  return value.split(",").map((r) => {
    const parsed = Role.safeParse(r.trim());
    if (!parsed.success) throw new Error(`--role must be all, gateway, workers or api (or a comma list), not "${r}"`);
    return parsed.data;
  });
}

/**
 * Settings that are valid alone but not together. A repeated `externalId` inside the duplicate window is compared
 * with the original JetStream kept: a window that outlasts how long read messages stay on the stream would name
 * originals already gone, and every such repeat could only be answered 503 until the window passed.
 */
function conflictingSettings(config: ServerConfig): string[] {
  const keepReadSeconds = config.STREAM_KEEP_READ_DAYS * 24 * 60 * 60;
  return config.DEDUPE_WINDOW_SECONDS < keepReadSeconds
    ? []
    : [
        `DEDUPE_WINDOW_SECONDS: must be shorter than STREAM_KEEP_READ_DAYS (${config.STREAM_KEEP_READ_DAYS} ` +
          `day${config.STREAM_KEEP_READ_DAYS === 1 ? "" : "s"} = ` +
          `${keepReadSeconds} seconds), not ${config.DEDUPE_WINDOW_SECONDS}: a repeated externalId is compared with the ` +
          "original on the stream, which must still be there; shorten the window or keep read messages longer",
      ];
}

const invalidConfiguration = (problems: string[]) =>
  new Error(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);

export function loadConfig(env: NodeJS.ProcessEnv): ServerConfig {
  const parsed = ServerConfig.safeParse(env);
  if (!parsed.success) throw invalidConfiguration(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  const conflicts = conflictingSettings(parsed.data);
  if (conflicts.length) throw invalidConfiguration(conflicts);
  return parsed.data;
}
