import { runCampaignSchedules } from "@regulars/campaigns-store";
import type { JobResult } from "@regulars/ledger-store";
import type { ScheduledJobContext } from "../jobs/refresh-segments.ts";

/**
 * Campaigns' schedules as a scheduled job under the scheduler's lease: due broadcast runs, always-on campaigns'
 * start, and the birthday and inactivity scan, on the tenant's clock.
 */
export function campaignSchedulesJob(ctx: ScheduledJobContext): Promise<JobResult> {
  return runCampaignSchedules({ db: ctx.db, tenantId: ctx.tenantId, zone: ctx.programme.timezone, now: ctx.now });
}
