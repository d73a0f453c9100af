import type { Db } from "@regulars/db";
import { evaluateEarning, forMemberships } from "@regulars/rules";
import { programmeInForce } from "./cache.ts";
import type { SimulateInput } from "./types.ts";
import { programmeAt } from "./versions.ts";

/**
 * "What would I earn": the basket evaluated by the rules engine against
 * the version in force at its `occurredAt`, on its location's clock (the tenant's where the location has no zone of
 * its own), as the ledger evaluates a sale there. Nothing is stored.
 * Without a customer the quote is for a member we know nothing about (no tier, no birthday, nothing
 * earned today, in no segment): the engine gives an anonymous sale no points, which would answer no question.
 */
export async function simulateEarning(
  db: Db,
  tenantId: string,
  timezone: string,
  input: SimulateInput,
  now: Date = new Date(),
) {
  const occurredAt = input.basket.occurredAt ? new Date(input.basket.occurredAt) : now;
  const programme = await programmeAt(db, tenantId, occurredAt);
  const customer = {
    tier: input.customer?.tier ?? null,
    dateOfBirth: input.customer?.dateOfBirth ?? null,
    earnedToday: input.customer?.earnedToday ?? 0,
  };
  const basket = {
    occurredAt: occurredAt.toISOString(),
    channel: input.basket.channel,
    locationId: input.basket.locationId,
    lines: input.basket.lines,
  };
  const zone = (await programmeInForce(db, tenantId, occurredAt, input.basket.locationId))?.localZone ?? timezone;
  const config = forMemberships(programme.config, new Set(input.customer?.segments ?? []));
  const earning = evaluateEarning(config, basket, customer, zone);
  return { programmeVersion: programme.version, occurredAt: basket.occurredAt, ...earning };
}
