import type { Analytics } from "@regulars/analytics";
import type { Bus, DeadLetterInfo } from "@regulars/bus";
import type { UnknownCodeLimit } from "@regulars/checkout-store";
import type { Db, TransactionRunner } from "@regulars/db";
import type { Logger } from "@regulars/logger";
import type { Registry } from "prom-client";
import type { CampaignWorkerOptions } from "./campaigns/campaign-worker.ts";
import type { MessagesWorkerOptions } from "./messages/start-messages.ts";
import type { WebhookSenderOptions } from "./webhooks/webhook-sender.ts";

export type WorkerName =
  | "ledger"
  | "events"
  | "analytics"
  | "profiles"
  | "jobs"
  | "webhooks"
  | "messages"
  | "campaigns";
export const allWorkers: WorkerName[] = [
  "ledger",
  "events",
  "analytics",
  "profiles",
  "jobs",
  "webhooks",
  "messages",
  "campaigns",
];

export interface WorkersOptions {
  db: Db;
  bus: Bus;
  /** Required when the analytics writer runs. */
  analytics?: Analytics;
  log: Logger;
  registry: Registry;
  enabled?: WorkerName[];
  maxBatch?: number;
  /** Failed attempts after which a message that fails on its own is dead-lettered. */
  maxDeliver?: number;
  backoffMs?: (failures: number) => number;
  /** Waits between probes of a dependency that is down (default 0.5 s doubling up to 30 s). */
  pauseBackoffMs?: (probe: number) => number;
  /** Awaited before a message is dead-lettered (e.g. to record a rejected transaction); failing means "try later". */
  onDeadLetter?: (info: DeadLetterInfo) => Promise<void>;
  /** How often scheduled jobs (pending release, expiry, notices, tier downgrades) run. */
  jobsIntervalMs?: number;
  /** How long read messages stay on their streams; see `busDefaults.keepReadMs`. */
  streamKeepReadMs?: number;
  /** How old an `occurredAt` the gateway accepts (OCCURRED_AT_MAX_AGE_DAYS); the scheduled clean-ups keep what guards it. */
  occurredAtMaxAgeDays?: number;
  /** How long a refund waits for the sale it refunds before it is rejected (default 24 h). */
  refundWaitMs?: number;
  /** Unknown coupon codes a key may be told of per window (COUPON_UNKNOWN_CODE_*), as the ledger counts posted sales'. */
  unknownCodeLimit?: UnknownCodeLimit;
  /** How long a ledger worker's hold on its partitions lasts unrenewed: how soon a crashed one's are taken over. */
  ledgerLeaseMs?: number;
  /** How long the ledger waits for a fuller batch when few messages are ready; `ledgerDefaults.lingerMs` by default. */
  ledgerLingerMs?: number;
  /** Batches each ledger worker applies at once, of distinct partitions (`LEDGER_CONCURRENT_BATCHES`). */
  ledgerConcurrentBatches?: number;
  /** Runs the ledger's batch transactions (`createPgTransactionRunner`); Prisma transactions on `db` when absent. */
  ledgerTransactions?: TransactionRunner;
  /** The webhook sender's limits, URL policy and (in tests) clock; see createWebhookSender. */
  webhooks?: Omit<WebhookSenderOptions, "db" | "log" | "registry">;
  /** The campaign step executor's claims, polling and (in tests) clock; see startCampaignWorker. */
  campaigns?: CampaignWorkerOptions;
  /** The message sender's providers per channel (development provider when absent), limits and (in tests) clock. */
  messages?: Omit<MessagesWorkerOptions, "db" | "log" | "registry" | "publish">;
}
