import {
  EarningRuleInput,
  ExpiryPolicy,
  RedemptionConfig,
  Reward,
  StampCard,
  TierProgramme,
  Timestamp,
} from "@regulars/contracts";
import { z } from "zod";

/**
 * When the change takes effect (omitted: now; never in the past: history is not rewritten), and whether the
 * versions already scheduled after that get the change too. Without `alsoScheduled` a change may not take effect
 * before the latest scheduled version: it would be made to that version's document.
 */
const When = {
  effectiveFrom: Timestamp.optional(),
  alsoScheduled: z.boolean().optional(),
};

export const ProgrammeAtInput = z.object({ at: Timestamp.optional() }).optional();

/** A stored version by its number; 0 is the default programme. */
export const VersionInput = z.object({ version: z.number().int().min(0).max(2_147_483_647) });

/** Strict: a key the rule schema does not know is refused, not dropped. */
export const UpsertRuleInput = z.object({ rule: EarningRuleInput, ...When });
export const DisableRuleInput = z.object({ id: z.string().min(1), ...When });
export const SetTiersInput = z.object({ tiers: TierProgramme.nullable(), ...When });
export const SetExpiryInput = z.object({ expiry: ExpiryPolicy, ...When });
export const UpsertStampCardInput = z.object({ card: StampCard, ...When });
export const DisableStampCardInput = z.object({ id: z.string().min(1), ...When });
export const SetMilestonesInput = z.object({
  milestones: z.array(z.number().int().positive()).max(50),
  ...When,
});
export const SetCapsInput = z.object({
  caps: z.object({
    perTransaction: z.number().int().positive().optional(),
    perDay: z.number().int().positive().optional(),
  }),
  ...When,
});
export const SetPendingDaysInput = z.object({ days: z.number().int().min(0).max(365), ...When });

export const SetRedemptionInput = z.object({ redemption: RedemptionConfig.nullable(), ...When });
export const UpsertRewardInput = z.object({ reward: Reward, ...When });
export const DisableRewardInput = z.object({ id: z.string().min(1), ...When });
