import {
  Channel,
  EarningRule,
  ExpiryPolicy,
  LocationId,
  type ProgrammeConfig,
  StampCard,
  TierProgramme,
  Timestamp,
  TransactionLine,
} from "@regulars/contracts";
import { z } from "zod";

/** When the change takes effect; omitted means now. Never in the past: history is not rewritten. */
const EffectiveFrom = Timestamp.optional();

export const ProgrammeAtInput = z.object({ at: Timestamp.optional() }).optional();

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

/** "What would I earn": the basket as a kiosk would post it, without ids, currency or totals. */
export const SimulateInput = z.object({
  basket: z.object({
    occurredAt: Timestamp.optional(),
    channel: Channel,
    locationId: LocationId,
    lines: z.array(TransactionLine).min(1, "a basket needs at least one line").max(500),
  }),
  customer: z
    .object({
      tier: z.string().min(1).nullish(),
      dateOfBirth: z.iso.date("must be a date such as 1990-04-21").nullish(),
      earnedToday: z.number().int().nonnegative().default(0),
    })
    .optional(),
});
export type SimulateInput = z.infer<typeof SimulateInput>;

export interface ProgrammeVersionView {
  version: number;
  effectiveFrom: string;
  createdAt: string;
  createdBy: string;
  config: ProgrammeConfig;
}

export type ProgrammeVersionSummary = Omit<ProgrammeVersionView, "config"> & {
  /** The version in force right now (later ones may be scheduled). */
  inForce: boolean;
};
