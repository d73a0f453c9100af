import { describe, expect, it } from "vitest";
import { CampaignDefinition, CampaignTrigger, type CampaignTriggerType, suggestedLimits } from "../src/index.ts";

const everyTrigger = CampaignTrigger.options.map((o) => o.shape.type.value) as CampaignTriggerType[];

describe("suggestedLimits", () => {
  it("lets recurring triggers reach a customer again, with no gap and no caps", () => {
    const recurring = ["broadcast", "birthday", "points_milestone", "tier_reached", "points_expiring", "inactive"];
    for (const type of recurring as CampaignTriggerType[])
      expect(suggestedLimits(type), type).toEqual({
        perCustomer: { mode: "repeatable", minGapHours: 0 },
        frequencyCaps: [],
      });
  });

  it("keeps one-time triggers to once per customer", () => {
    const oneTime = ["registered", "first_purchase", "profile_completed", "segment_entered", "always_on"];
    for (const type of oneTime as CampaignTriggerType[])
      expect(suggestedLimits(type), type).toEqual({ perCustomer: { mode: "once" }, frequencyCaps: [] });
  });

  it("suggests limits the schema accepts for every trigger, and leaves the schema's default at once", () => {
    for (const type of everyTrigger) expect(CampaignDefinition.shape.limits.parse(suggestedLimits(type))).toBeTruthy();
    expect(CampaignDefinition.shape.limits.parse(undefined).perCustomer).toEqual({ mode: "once" });
  });
});
