import type { DbTx } from "@regulars/db";
import { mergeCustomer } from "../merge/merge.ts";
import { type ChangeOrigin, ownerOf, phoneIdentity } from "../shared.ts";

/**
 * The customer proved `phone` (the app backend checked a code sent to it): the tills find them by it from
 * now on. A customer the tills enrolled with that number is the same person and is merged into this one;
 * numbers the customer had before stop finding them (a number given up may be someone else's next).
 * The caller holds the customer's lock and the phone's registration lock. Returns the merged customers.
 */
export async function linkProvenPhone(
  tx: DbTx,
  tenantId: string,
  customerId: string,
  phone: string,
  origin: ChangeOrigin,
): Promise<string[]> {
  await tx.$executeRaw`
    DELETE FROM customer_identities
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND kind = 'phone' AND value <> ${phone}`;
  const merged: string[] = [];
  // A till may enrol the number between our look-up and our insert: its customer is merged on the next pass.
  for (let pass = 0; pass < 3; pass++) {
    const owner = await ownerOf(tx, tenantId, phoneIdentity(phone));
    if (owner === customerId) break;
    if (owner) {
      await mergeCustomer(tx, tenantId, owner, customerId, origin);
      merged.push(owner);
      continue;
    }
    const inserted = await tx.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
      VALUES (${tenantId}, 'phone', ${phone}, ${customerId}) ON CONFLICT DO NOTHING`;
    if (inserted) break;
  }
  await tx.$executeRaw`UPDATE customers SET phone = ${phone} WHERE tenant_id = ${tenantId} AND id = ${customerId}`;
  return merged;
}
