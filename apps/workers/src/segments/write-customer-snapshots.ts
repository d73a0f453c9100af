import { type FactsTarget, mergeCustomerRows } from "@regulars/analytics";
import { done, type Outcome } from "@regulars/bus";
import type { CustomerMerge } from "@regulars/customers-store";
import type { Db } from "@regulars/db";
import { type CustomerRef, snapshotCustomers } from "@regulars/segments-store";
import { z } from "zod";
import { survivorsOf } from "../analytics/survivors.ts";

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
 * tier events), whose facts arrived (a sale or an app event, which may be a till's first sale of a customer no
 * customer event announced), and which customer a merge took away into which. Null for anything else,
 * acknowledged without work. The snapshot itself is read from Postgres, so only the ids are parsed, strictly.
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
    changed: changed ? [{ tenantId, customerId }] : [],
    seen: changed ? [] : [{ tenantId, customerId }],
    merges: changed && merged ? [{ tenantId, mergedId: merged, intoId: customerId }] : [],
  };
});
export type CustomerSnapshotMessage = z.infer<typeof CustomerSnapshotMessage>;

/**
 * Writes the batch's customers' current attributes to ClickHouse's `customers` table in one insert, and applies
 * the batch's merges there; acknowledged after both. A redelivery writes a newer snapshot of the same state, which
 * replaces the older, and finds nothing left to move.
 *
 * A merged customer is its survivor (an event of it published before the merge, read after it): a snapshot of its
 * own would make it a segment member again. A merge moves the merged customer's facts to the survivor and deletes
 * its row (mergeCustomerRows, one pass per tenant and table for the batch's merges); the survivor's snapshot is
 * written anew from Postgres, where the merge moved its sales and identities.
 */
export async function writeCustomerSnapshotsBatch(
  db: Db,
  target: FactsTarget,
  items: CustomerSnapshotMessage[],
): Promise<Outcome[]> {
  const changed: CustomerRef[] = [];
  const seen: CustomerRef[] = [];
  const merges: CustomerMerge[] = [];
  for (const item of items) {
    if (!item) continue;
    changed.push(...item.changed);
    seen.push(...item.seen);
    merges.push(...item.merges);
  }
  if (changed.length || seen.length) {
    const survivor = await survivorsOf(db, [...changed, ...seen]);
    await snapshotCustomers(db, target, { changed: changed.map(survivor), seen: seen.map(survivor) });
  }
  await mergeCustomerRows(target, merges);
  return items.map(() => done);
}
