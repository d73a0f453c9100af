import {
  EarningRule,
  ExpiryPolicy,
  RedemptionConfig,
  Reward,
  StampCard,
  TierProgramme,
  Timestamp,
} from "@regulars/contracts";
import { z } from "zod";

/** When the change takes effect; omitted means now. Never in the past: history is not rewritten. */
const EffectiveFrom = Timestamp.optional();

export const ProgrammeAtInput = z.object({ at: Timestamp.optional() }).optional();

/** A stored version by its number; 0 is the default programme. */
export const VersionInput = z.object({ version: z.number().int().min(0).max(2_147_483_647) });

export const UpsertRuleInput = z.object({ rule: EarningRule, effectiveFrom: EffectiveFrom });
export const DisableRuleInput = z.object({ id: z.string().min(1), effectiveFrom: EffectiveFrom });
export const SetTiersInput = z.object({ tiers: TierProgramme.nullable(), effectiveFrom: EffectiveFrom });
export const SetExpiryInput = z.object({ expiry: ExpiryPolicy, effectiveFrom: EffectiveFrom });
export const UpsertStampCardInput = z.object({ card: StampCard, effectiveFrom: EffectiveFrom });
export const DisableStampCardInput = z.object({ id: z.string().min(1), effectiveFrom: EffectiveFrom });
export const SetMilestonesInput = z.object({
  milestones: z.array(z.number().int().positive()).max(50),
  effectiveFrom: EffectiveFrom,
});
export const SetCapsInput = z.object({
  caps: z.object({
    perTransaction: z.number().int().positive().optional(),
    perDay: z.number().int().positive().optional(),
  }),
  effectiveFrom: EffectiveFrom,
});
export const SetPendingDaysInput = z.object({ days: z.number().int().min(0).max(365), effectiveFrom: EffectiveFrom });

export const SetRedemptionInput = z.object({ redemption: RedemptionConfig.nullable(), effectiveFrom: EffectiveFrom });
export const UpsertRewardInput = z.object({ reward: Reward, effectiveFrom: EffectiveFrom });
export const DisableRewardInput = z.object({ id: z.string().min(1), effectiveFrom: EffectiveFrom });
