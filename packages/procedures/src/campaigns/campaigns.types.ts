import { CampaignDefinition, type CampaignDefinitionInput, CampaignStatus } from "@regulars/contracts";
import { z } from "zod";

const CampaignId = z.string().regex(/^cmp_[a-z0-9]{10,40}$/, "must be a campaign id (cmp_...)");
const TriggerType = z.enum(CampaignDefinition.shape.trigger.options.map((o) => o.shape.type.value));

export const CreateCampaignInput = CampaignDefinition;

/**
 * The whole definition again, saved as a new version. Parsed by the store rather than here: a definition
 * without `status` keeps the campaign's, where the contract's default (`draft`) would move it.
 */
export const UpdateCampaignInput = z.strictObject({
  id: CampaignId,
  definition: z
    .custom<CampaignDefinitionInput>((v) => typeof v === "object" && v !== null && !Array.isArray(v), {
      message: "must be a campaign definition",
    })
    .describe("a CampaignDefinition; without status the campaign keeps its own"),
});

export const CampaignIdInput = z.strictObject({ id: CampaignId });

// Versions are Postgres integers: a larger number is a 400 here, not a 500 from the database.
export const CampaignVersionInput = z.strictObject({
  id: CampaignId,
  version: z.number().int().min(1).max(2_147_483_647),
});

export const SetCampaignStatusInput = z.strictObject({
  id: CampaignId,
  status: CampaignStatus.describe("the status to move to, as the lifecycle allows"),
});

export const ListCampaignsInput = z
  .strictObject({
    status: z.array(CampaignStatus).max(5).optional(),
    triggerType: z.array(TriggerType).max(20).optional(),
    /** The `nextCursor` of the previous page. */
    cursor: CampaignId.nullish(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .prefault({});

export const CampaignResultsInput = z.strictObject({
  id: CampaignId,
  conversionDays: z
    .number()
    .int()
    .min(1)
    .max(365)
    .default(14)
    .describe("a purchase within this many days after enrolment is a conversion"),
});
