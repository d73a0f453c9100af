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

/**
 * What the ledger evaluates a transaction against. Two zones, because one customer's day cannot have two lengths:
 * - `localZone` (the location's, else the tenant's) for what happens at the till: weekday and hour multipliers, the
 *   birthday multiplier, coupon weekdays and hours, and the local delivery time of messages a sale triggers.
 * - `timezone` (the tenant's) for periods of the customer: daily caps, tier years and windows, expiry dates and
 *   reporting days.
 */
export interface ProgrammeInForce {
  version: number;
  config: ProgrammeConfig;
  /** The tenant's time zone: customer-level days, months and years (caps, tiers, expiry, reports) are local to it. */
  timezone: string;
  /** The zone of the location asked for when an admin set one (`locations`), else the tenant's `timezone`. */
  localZone: string;
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
      /** Segment ids the customer is a member of, for rules that filter on segments. */
      segments: z.array(z.string().min(1).max(64)).max(50).default([]),
    })
    .optional(),
});
export type SimulateInput = z.infer<typeof SimulateInput>;
