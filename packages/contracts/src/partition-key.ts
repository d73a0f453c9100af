import { identityOf } from "./primitives.ts";
import type { TransactionInput } from "./transaction.ts";

/**
 * What decides a transaction's ledger partition: the customer as posted, so one customer's transactions
 * are applied strictly in the order they were accepted. A refund that names no customer goes with the
 * sale it refunds (`sale:<externalId>`); it is applied under the customer's lock all the same, but only
 * refunds that name the customer are ordered with the customer's other transactions. An anonymous sale
 * earns nothing and orders with nothing: its own externalId spreads such sales over the partitions.
 */
export function ledgerPartitionKey(
  tx: Pick<TransactionInput, "customer" | "type" | "refundOf" | "externalId">,
): string {
  if (tx.customer) {
    const identity = identityOf(tx.customer);
    return "customerId" in identity ? `id:${identity.customerId}` : `${identity.kind}:${identity.value}`;
  }
  if (tx.type === "refund" && tx.refundOf) return `sale:${tx.refundOf}`;
  return `tx:${tx.externalId}`;
}
