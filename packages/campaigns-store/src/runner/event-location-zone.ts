import type { DomainEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { ActiveCampaignCache } from "./active-campaigns.ts";
import { transactionOf } from "./recorded-at.ts";

/**
 * The till a milestone was crossed at. Its event names no transaction, but the crossing was recorded in the ledger
 * batch that stored the sale: `crossed_at` and the sale's `processed_at` are the same `now()` of that database
 * transaction, and the event's `occurredAt` is the movement's, the sale's own time. A crossing of no sale (an
 * adjustment, a pending release by the nightly job) finds none and keeps the tenant's clock.
 */
async function milestoneLocation(db: Db, event: DomainEvent & { type: "points.milestone" }): Promise<string | null> {
  const [row] = await db.$queryRaw<{ location_id: string }[]>`
    SELECT t.location_id FROM milestone_crossings mc
    JOIN transactions t ON t.tenant_id = mc.tenant_id AND t.customer_id = mc.customer_id
      AND t.occurred_at = ${new Date(event.occurredAt)} AND t.processed_at = mc.crossed_at
    WHERE mc.tenant_id = ${event.tenantId} AND mc.customer_id = ${event.customerId}
      AND mc.threshold = ${event.threshold} AND mc.crossing = ${event.crossing}
    ORDER BY t.id LIMIT 1`;
  return row?.location_id ?? null;
}

/** The location an event happened at: named by it, or that of the sale or refund it was derived from. */
async function locationOf(db: Db, event: DomainEvent): Promise<string | null> {
  if ("locationId" in event) return event.locationId;
  const transactionId = transactionOf(event);
  if (transactionId !== null) {
    const [row] = await db.$queryRaw<{ location_id: string }[]>`
      SELECT location_id FROM transactions WHERE id = ${transactionId} AND tenant_id = ${event.tenantId}`;
    return row?.location_id ?? null;
  }
  return event.type === "points.milestone" ? milestoneLocation(db, event) : null;
}

/**
 * The zone of the location an event happened at, for campaigns delivering on the location's clock (SPEC: calendar
 * logic runs in the tenant's zone "or the location's, where one is set"). A sale's `transaction.processed` and an
 * `event.recorded` at a store name their location; the milestones, tier changes and points a sale caused do not, and
 * are read on the clock of that sale's till. Null for an event of no location, which falls back to the tenant's.
 * One query at most, and only for an event some campaign matched: the trigger worker enrols event by event.
 */
export async function eventLocationZone(
  db: Db,
  cache: ActiveCampaignCache,
  event: DomainEvent,
  now: Date,
): Promise<string | null> {
  return cache.locationZone(event.tenantId, await locationOf(db, event), now);
}
