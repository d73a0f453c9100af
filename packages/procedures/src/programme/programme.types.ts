import {
  EarningRuleInput,
  ExpiryPolicyInput,
  PointCapsInput,
  RedemptionConfigInput,
  RewardInput,
  StampCardInput,
  TierProgrammeInput,
  Timestamp,
} from "@regulars/contracts";
import { z } from "zod";

/*
 * Every programme part here is the contracts' strict write schema, the one `programme set` files pass too: a key a
 * schema does not know is refused by name, not dropped, since a dropped `perDAY` or `effectiveFromm` puts a version
 * live without the cap or at once. Stored programmes still read tolerantly (`ProgrammeConfig`).
 */

/**
 * When the change takes effect (omitted: now; never in the past: history is not rewritten), and whether the
 * versions already scheduled after that get the change too. Without `alsoScheduled` a change may not take effect
 * before the latest scheduled version: it would be made to that version's document.
 */
const When = {
  effectiveFrom: Timestamp.optional(),
  alsoScheduled: z.boolean().optional(),
};

export const ProgrammeAtInput = z.strictObject({ at: Timestamp.optional() }).optional();

/** A stored version by its number; 0 is the default programme. */
export const VersionInput = z.strictObject({ version: z.number().int().min(0).max(2_147_483_647) });

export const UpsertRuleInput = z.strictObject({ rule: EarningRuleInput, ...When });
export const DisableRuleInput = z.strictObject({ id: z.string().min(1), ...When });
export const SetTiersInput = z.strictObject({ tiers: TierProgrammeInput.nullable(), ...When });
export const SetExpiryInput = z.strictObject({ expiry: ExpiryPolicyInput, ...When });
export const UpsertStampCardInput = z.strictObject({ card: StampCardInput, ...When });
export const DisableStampCardInput = z.strictObject({ id: z.string().min(1), ...When });
export const SetMilestonesInput = z.strictObject({
  milestones: z.array(z.number().int().positive()).max(50),
  ...When,
});
export const SetCapsInput = z.strictObject({ caps: PointCapsInput, ...When });
export const SetPendingDaysInput = z.strictObject({ days: z.number().int().min(0).max(365), ...When });

export const SetRedemptionInput = z.strictObject({ redemption: RedemptionConfigInput.nullable(), ...When });
export const UpsertRewardInput = z.strictObject({ reward: RewardInput, ...When });
export const DisableRewardInput = z.strictObject({ id: z.string().min(1), ...When });
