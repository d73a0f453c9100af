import type { CustomerCreated } from "@regulars/contracts";
import { type RawTx, sqlArray } from "@regulars/db";

/** A customer a till's first sale created: who, for which tenant, through which channel and identity kind. */
export interface CreatedCustomer {
  tenantId: string;
  customerId: string;
  /** The identity kind the sale named (`phone`, `card`, `ext:<provider>`); its value stays out of events. */
  kind: string;
  createdVia: string;
}

const identityKindOf = (kind: string): CustomerCreated["identity"] =>
  kind === "phone" || kind === "card" ? kind : "external";

/**
 * The `customer.created` a till-created customer announces, in the batch that created it. The id is the customer's,
 * as a registration's is: a customer is created once, so a redelivered batch (which finds the identity) writes none.
 */
export const customerCreatedBySale = (c: CreatedCustomer, at: Date): CustomerCreated => ({
  type: "customer.created",
  id: `customer.created:${c.customerId}`,
  tenantId: c.tenantId,
  customerId: c.customerId,
  occurredAt: at.toISOString(),
  via: c.createdVia,
  cause: "sale",
  identity: identityKindOf(c.kind),
  fields: c.kind === "phone" ? ["phone"] : [],
});

/**
 * Customers this batch created for sales it then refused (a till posting another body under an externalId it
 * used before, with a corrected phone): nothing refers to them yet, so they go with their identities, before
 * anyone could enrol or count them. Rare: no statement unless there are some.
 */
export async function forgetCustomers(tx: RawTx, customerIds: string[]): Promise<void> {
  if (!customerIds.length) return;
  await tx.$executeRaw`DELETE FROM customer_identities WHERE customer_id = ANY(${sqlArray(customerIds)}::text[])`;
  await tx.$executeRaw`DELETE FROM customers WHERE id = ANY(${sqlArray(customerIds)}::text[])`;
}
