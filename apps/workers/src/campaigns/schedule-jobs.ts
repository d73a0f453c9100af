import { runCampaignSchedules } from "@regulars/campaigns-store";
import type { JobResult } from "@regulars/ledger-store";
import { tenantFrequencyCaps } from "@regulars/tenancy";
import type { ScheduledJobContext } from "../jobs/refresh-segments.ts";
import { logUnreadableCampaigns } from "./unreadable-campaigns.ts";

/**
 * Campaigns' schedules as a scheduled job under the scheduler's lease: due broadcast runs, always-on campaigns'
 * start, and the birthday and inactivity scan, on the tenant's clock. Each chunk's `campaign.enrolled` events are
 * published as the chunk commits: held to the end of a 100,000-member run, they were first published by the
 * outbox relay (older than its grace) and then all again by the job. Messages due now are queued in the chunk's
 * transaction when the process can render them (`queueMessages`), not by another round through the step executor.
 * The tenant's own frequency caps hold beside each campaign's (the process's cache, else read for this pass).
 */
export async function campaignSchedulesJob(ctx: ScheduledJobContext): Promise<JobResult> {
  const tenantCaps = await (ctx.tenantCaps ?? ((tenantId) => tenantFrequencyCaps(ctx.db, tenantId)))(ctx.tenantId);
  return runCampaignSchedules({
    db: ctx.db,
    tenantId: ctx.tenantId,
    zone: ctx.programme.timezone,
    now: ctx.now,
    tenantCaps,
    onUnreadable: logUnreadableCampaigns(ctx.log),
    ...(ctx.publish ? { onCommitted: ctx.publish } : {}),
    ...(ctx.queueMessages ? { queueDueMessages: ctx.queueMessages } : {}),
  });
}
