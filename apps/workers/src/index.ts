export { runScheduledJobs } from "./jobs/scheduler.ts";
export { trimStreams } from "./jobs/stream-retention.ts";
export { ledgerBacklog, ledgerUnreadFrom } from "./ledger/backlog.ts";
export { type RunningLedger, startPartitionedLedger } from "./ledger/partitioned-ledger.ts";
export { startWorkersRole } from "./role.ts";
export { type RunningWorkers, startWorkers } from "./start-workers.ts";
export {
  createWebhookSender,
  type WebhookSender,
  type WebhookSenderOptions,
  webhookSenderDefaults,
} from "./webhooks/webhook-sender.ts";
export { allWorkers, type WorkerName, type WorkersOptions } from "./workers-options.ts";
