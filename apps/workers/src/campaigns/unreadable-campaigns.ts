import type { OnUnreadableCampaign } from "@regulars/campaigns-store";
import type { Logger } from "@regulars/logger";

/**
 * A campaign whose stored definition this release cannot read (a newer release's during a rolling deploy, or one
 * saved before a schema change) is left out of planning, once per load: its tenant's other campaigns go on. Logged
 * with zod's issues, so the row can be saved again or the release finished.
 */
export const logUnreadableCampaigns =
  (log: Logger): OnUnreadableCampaign =>
  (campaign) =>
    log.error(
      { campaignId: campaign.id, tenantId: campaign.tenantId, version: campaign.version, issues: campaign.issues },
      "a campaign's stored definition does not parse; it is skipped until it is saved again in a readable shape",
    );
