import { phoneSpellings } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { mergeCustomer } from "../merge/merge.ts";
import type { ChangeOrigin } from "../shared.ts";

/**
 * The customer proved `phone` (the app backend checked a code sent to it): the tills find them by it from
 * now on. A customer the tills enrolled with that number, by either spelling (a till's `+480604100077` for the
 * app's `+48604100077`: `phoneSpellings`), is the same person and is merged into this one; numbers the customer had
 * before stop finding them (a number given up may be someone else's next). The identity is kept under the proven
 * (valid) spelling only: the other would name no one else, and a code sent by SMS must go to the valid one.
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
  const spellings = phoneSpellings(phone).all;
  const merged: string[] = [];
  // A till may enrol the number between our look-up and our insert: its customer is merged on the next pass.
  for (let pass = 0; pass < 3; pass++) {
    const holders = await tx.$queryRaw<{ value: string; customer_id: string }[]>`
      SELECT value, customer_id FROM customer_identities
      WHERE tenant_id = ${tenantId} AND kind = 'phone' AND value = ANY(${spellings}::text[])
      ORDER BY array_position(${spellings}::text[], value)`;
    const others = [...new Set(holders.map((h) => h.customer_id).filter((id) => id !== customerId))];
    for (const other of others) {
      await mergeCustomer(tx, tenantId, other, customerId, origin);
      merged.push(other);
    }
    if (others.length) continue;
    if (holders.some((h) => h.value === phone)) break;
    const inserted = await tx.$executeRaw`
      INSERT INTO customer_identities (tenant_id, kind, value, customer_id)
      VALUES (${tenantId}, 'phone', ${phone}, ${customerId}) ON CONFLICT DO NOTHING`;
    if (inserted) break;
  }
  // The other spelling a merged customer brought along: the proven one finds this customer by both.
  await tx.$executeRaw`
    DELETE FROM customer_identities
    WHERE tenant_id = ${tenantId} AND customer_id = ${customerId} AND kind = 'phone' AND value <> ${phone}
      AND value = ANY(${spellings}::text[]) AND EXISTS (
        SELECT 1 FROM customer_identities p
        WHERE p.tenant_id = ${tenantId} AND p.kind = 'phone' AND p.value = ${phone} AND p.customer_id = ${customerId})`;
  await tx.$executeRaw`UPDATE customers SET phone = ${phone} WHERE tenant_id = ${tenantId} AND id = ${customerId}`;
  return merged;
}
