import { type FactsTarget, insertLoyaltyEvents, loyaltyEventTypes } from "@regulars/analytics";
import { done, type Outcome } from "@regulars/bus";
import { LoyaltyEvent } from "@regulars/contracts";
import type { Db } from "@regulars/db";
import type { z } from "zod";
import { domainMessageOf } from "../domain-message.ts";
import { writeUnderSurvivors } from "./survivors.ts";

/** A loyalty event from the domain stream, or null for another type (see domainMessageOf). */
export const LoyaltyEventMessage = domainMessageOf((type) => loyaltyEventTypes.has(type), LoyaltyEvent);
export type LoyaltyEventMessage = z.infer<typeof LoyaltyEventMessage>;

/**
 * Writes a batch's loyalty events to ClickHouse in one insert per month touched, under the customer who holds
 * them now (a merge's survivor: see writeUnderSurvivors); acknowledged after it. A redelivered event collapses
 * with its first copy in `loyalty_events` (ReplacingMergeTree on its own id).
 */
export async function writeLoyaltyEventsBatch(
  db: Db,
  target: FactsTarget,
  items: LoyaltyEventMessage[],
): Promise<Outcome[]> {
  const events = items.filter((item): item is LoyaltyEvent => item !== null);
  if (events.length) await writeUnderSurvivors(db, target, events, (resolved) => insertLoyaltyEvents(target, resolved));
  return items.map(() => done);
}
