import type { AnalystSqlTarget } from "@regulars/analytics";
import type { QueueCampaignMessages } from "@regulars/campaigns-store";
import type { JobContext, JobResult, OutboxItem } from "@regulars/ledger-store";
import { refreshDueSegments } from "@regulars/segments-store";
import type { TenantCapsReader } from "../tenant-caps-cache.ts";

/**
 * Jobs that read ClickHouse get it here; absent where this process has no connection to it. A long job publishes
 * committed events with `publish` as it goes (what it returns is published when it ends). Campaign schedules
 * queue the messages due at once with `queueMessages`.
 */
export type ScheduledJobContext = JobContext & {
  analytics?: AnalystSqlTarget;
  publish?: (items: OutboxItem[]) => Promise<void>;
  queueMessages?: QueueCampaignMessages;
  /** The tenant's own frequency caps (cached by the process); the campaigns' schedules read them when absent. */
  tenantCaps?: TenantCapsReader;
};

/**
 * Refreshes the tenant's segments whose interval has passed. Without ClickHouse in this process it does
 * nothing (the segments stay due for a process that has it).
 */
export async function refreshSegmentsJob(ctx: ScheduledJobContext): Promise<JobResult> {
  const { analytics } = ctx;
  if (!analytics) return { acted: 0, outbox: [] };
  return refreshDueSegments({
    db: ctx.db,
    analytics,
    tenantId: ctx.tenantId,
    now: ctx.now,
    onError: (segmentId, err) =>
      ctx.log.error({ err, segmentId, tenantId: ctx.tenantId }, "segment refresh failed; the next pass retries it"),
  });
}
