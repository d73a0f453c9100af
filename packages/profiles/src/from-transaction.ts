import type { TransactionProcessed } from "@regulars/contracts";
import { lineQuantities } from "./affinities.ts";
import { daypartOf } from "./daypart.ts";
import type { OrderFact } from "./facts.ts";

/** A fact with the customer and tenant it belongs to, as the store keeps it. */
export interface CustomerOrderFact extends OrderFact {
  tenantId: string;
  customerId: string;
}

/**
 * The profile's fact of a processed transaction, or null for an anonymous one (it belongs to no profile).
 * The daypart is taken in `timeZone`, the till's: the zone of the sale's location where one is set, else the
 * tenant's (the caller resolves which, as the ledger does for a sale's hours).
 */
export function orderFactOf(event: TransactionProcessed, timeZone: string): CustomerOrderFact | null {
  if (!event.customerId) return null;
  const occurredAt = new Date(event.occurredAt);
  return {
    tenantId: event.tenantId,
    customerId: event.customerId,
    transactionId: event.transactionId,
    kind: event.kind,
    occurredAt,
    value: event.total,
    locationId: event.locationId,
    channel: event.channel,
    daypart: daypartOf(occurredAt, timeZone),
    ...lineQuantities(event.lines),
  };
}
