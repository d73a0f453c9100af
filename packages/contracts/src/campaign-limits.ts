import type { CampaignLimits } from "./campaign.ts";
import type { CampaignTriggerType } from "./campaign-trigger.ts";

/**
 * Triggers that come back for the same customer (every run, every birthday, each milestone or tier, each stretch of
 * inactivity, each batch of expiring points, each matching event): with the schema's default of `once` such a
 * campaign would reach each customer a single time ever.
 */
const recurringTriggers: ReadonlySet<CampaignTriggerType> = new Set([
  "broadcast",
  "birthday",
  "points_milestone",
  "tier_gap",
  "tier_reached",
  "points_expiring",
  "inactive",
  "domain_event",
]);

/**
 * The limits a new campaign of a trigger should start with (the admin builder's choice). The schema's default stays
 * `once`, as stored definitions and API callers rely on it.
 */
export function suggestedLimits(triggerType: CampaignTriggerType): CampaignLimits {
  return {
    perCustomer: recurringTriggers.has(triggerType) ? { mode: "repeatable", minGapHours: 0 } : { mode: "once" },
    frequencyCaps: [],
  };
}
