import { Channel, LocationId, type ProgrammeConfig, Timestamp, TransactionLine } from "@regulars/contracts";
import { z } from "zod";

export interface ProgrammeVersionView {
  /** 0 for the default programme of a tenant that has configured none. */
  version: number;
  effectiveFrom: string;
  createdAt: string;
  createdBy: string;
  config: ProgrammeConfig;
}

export type ProgrammeVersionSummary = Omit<ProgrammeVersionView, "config"> & {
  /** The version in force right now (later ones may be scheduled). */
  inForce: boolean;
  /**
   * The version this one was made from: the one before it, except for a change made to the version in force and
   * a scheduled one alike, whose versions each start from the one they change.
   */
  basedOn: number;
};

/** What the ledger evaluates a transaction against. */
export interface ProgrammeInForce {
  version: number;
  config: ProgrammeConfig;
  /** The tenant's time zone: weekdays, birthdays, days and months are local to it. */
  timezone: string;
}

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
