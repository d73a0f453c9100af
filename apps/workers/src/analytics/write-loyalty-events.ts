import { type FactsTarget, insertLoyaltyEvents, loyaltyEventTypes } from "@regulars/analytics";
import { done, type Outcome } from "@regulars/bus";
import { LoyaltyEvent } from "@regulars/contracts";
import { z } from "zod";

/** Offsets are required: `Date` and ClickHouse would read a time without one in a zone of their choosing. */
const isoWithOffset = z.iso.datetime({ offset: true });

/**
 * A domain stream message as the loyalty events writer reads it: a loyalty event, parsed strictly (a bad one
 * is dead-lettered with the fields at fault), or null for any other domain event, which is not this writer's
 * and is acknowledged without work. The durable reads the whole domain stream because the loyalty types share
 * no subject prefix and NATS 2.9 takes one filter per consumer; other types are checked by their own readers.
 */
export const LoyaltyEventMessage = z.looseObject({ type: z.string() }).transform((message, ctx) => {
  if (!loyaltyEventTypes.has(message.type)) return null;
  const parsed = LoyaltyEvent.safeParse(message);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  }
  if (!isoWithOffset.safeParse(parsed.data.occurredAt).success) {
    ctx.addIssue({ code: "custom", path: ["occurredAt"], message: "must be ISO 8601 with an offset" });
    return z.NEVER;
  }
  return parsed.data;
});
export type LoyaltyEventMessage = z.infer<typeof LoyaltyEventMessage>;

/**
 * Writes a batch's loyalty events to ClickHouse in one insert per month touched; acknowledged after it.
 * A redelivered event collapses with its first copy in `loyalty_events` (ReplacingMergeTree on its own id).
 */
export async function writeLoyaltyEventsBatch(target: FactsTarget, items: LoyaltyEventMessage[]): Promise<Outcome[]> {
  const events = items.filter((item): item is LoyaltyEvent => item !== null);
  if (events.length) await insertLoyaltyEvents(target, events);
  return items.map(() => done);
}
