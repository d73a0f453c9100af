import { preferredPhoneSpelling } from "./phone.ts";
import { identityOf } from "./primitives.ts";
import type { TransactionInput } from "./transaction.ts";

/**
 * What decides a transaction's ledger partition: the customer as posted, so one customer's transactions
 * are applied strictly in the order they were accepted. A refund that names no customer goes with the
 * sale it refunds (`sale:<externalId>`); it is applied under the customer's lock all the same, but only
 * refunds that name the customer are ordered with the customer's other transactions. An anonymous sale
 * earns nothing and orders with nothing: its own externalId spreads such sales over the partitions.
 *
 * A phone is keyed by its preferred spelling (`preferredPhoneSpelling`): a till's `+480604100077` and the app's
 * `+48604100077` are one person, so one partition. Only the key changes, never the message: its body, and so the
 * retry's fingerprint, stay as posted. Across the deploy that brought this, a 0-spelled number's sales already on the
 * stream stay in the partition of the old key, and the ones posted after go to the folded key's: until the old ones
 * are applied, that customer's sales are in two partitions, ordered within each but not across (as a customer named
 * once by phone and once by card is); both are applied under the customer's row lock, so nothing is lost or doubled.
 * A retry of a message posted before is still a duplicate: JetStream's duplicate window is the stream's, not a
 * subject's. Valid numbers keep their key.
 */
export function ledgerPartitionKey(
  tx: Pick<TransactionInput, "customer" | "type" | "refundOf" | "externalId">,
): string {
  if (tx.customer) {
    const identity = identityOf(tx.customer);
    if ("customerId" in identity) return `id:${identity.customerId}`;
    const value = identity.kind === "phone" ? preferredPhoneSpelling(identity.value) : identity.value;
    return `${identity.kind}:${value}`;
  }
  if (tx.type === "refund" && tx.refundOf) return `sale:${tx.refundOf}`;
  return `tx:${tx.externalId}`;
}
