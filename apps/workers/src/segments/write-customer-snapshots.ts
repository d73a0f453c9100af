import type { FactsTarget } from "@regulars/analytics";
import { done, type Outcome } from "@regulars/bus";
import type { Db } from "@regulars/db";
import { type CustomerRef, snapshotCustomers } from "@regulars/segments-store";
import { z } from "zod";

const customerEvents = new Set(["customer.created", "customer.updated", "consent.changed", "tier.changed"]);
const factEvents = new Set(["transaction.processed", "event.recorded"]);

/** Customer events always name a customer; a sale or an app event may be anonymous (null). */
const CustomerIds = z.object({
  tenantId: z.string().min(1),
  customerId: z.string().min(1).nullable(),
  mergedCustomerId: z.string().min(1).nullish(),
});

/**
 * What the customer snapshot writer needs of a domain event: whose attributes changed (customer, consent and
 * tier events; a merge changes the merged customer too) or whose facts arrived (a sale or an app event, which
 * may be a till's first sale of a customer no customer event announced). Null for anything else, acknowledged
 * without work. The snapshot itself is read from Postgres, so only the ids are parsed, strictly.
 */
export const CustomerSnapshotMessage = z.looseObject({ type: z.string() }).transform((message, ctx) => {
  const changed = customerEvents.has(message.type);
  if (!changed && !factEvents.has(message.type)) return null;
  const parsed = CustomerIds.safeParse(message);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
    return z.NEVER;
  }
  const { tenantId, customerId, mergedCustomerId: merged } = parsed.data;
  if (!customerId) return null;
  return {
    changed: changed ? [{ tenantId, customerId }, ...(merged ? [{ tenantId, customerId: merged }] : [])] : [],
    seen: changed ? [] : [{ tenantId, customerId }],
  };
});
export type CustomerSnapshotMessage = z.infer<typeof CustomerSnapshotMessage>;

/**
 * Writes the batch's customers' current attributes to ClickHouse's `customers` table in one insert;
 * acknowledged after it. A redelivery writes a newer snapshot of the same state, which replaces the older.
 */
export async function writeCustomerSnapshotsBatch(
  db: Db,
  target: FactsTarget,
  items: CustomerSnapshotMessage[],
): Promise<Outcome[]> {
  const changed: CustomerRef[] = [];
  const seen: CustomerRef[] = [];
  for (const item of items) {
    if (!item) continue;
    changed.push(...item.changed);
    seen.push(...item.seen);
  }
  if (changed.length || seen.length) await snapshotCustomers(db, target, { changed, seen });
  return items.map(() => done);
}
