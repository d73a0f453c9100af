import { z } from "zod";

/**
 * A tenant's earning programme. Stored as a versioned JSON document; the rules engine evaluates a
 * transaction against the version in force at its `occurredAt`.
 */
export const BaseRateRule = z.object({
  id: z.string().min(1).max(64),
  type: z.literal("base_rate"),
  /** Points per whole `unitMinor` of eligible spend: 1 point per 100 cents is "1 point per €1". */
  pointsPerUnit: z.number().int().positive(),
  unitMinor: z.number().int().positive(),
});

export const EarningRule = z.discriminatedUnion("type", [BaseRateRule]);
export type EarningRule = z.infer<typeof EarningRule>;

export const ProgrammeConfig = z.object({
  rules: z.array(EarningRule).max(200),
  /** Earned points become spendable after this many days. */
  pendingDays: z.number().int().min(0).max(365).default(0),
});
export type ProgrammeConfig = z.infer<typeof ProgrammeConfig>;

export const defaultProgramme: ProgrammeConfig = {
  rules: [{ id: "base", type: "base_rate", pointsPerUnit: 1, unitMinor: 100 }],
  pendingDays: 0,
};
