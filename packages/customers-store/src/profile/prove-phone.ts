import { phoneSpellings } from "@regulars/contracts";
import type { DbTx } from "@regulars/db";
import { DomainError } from "@regulars/errors";
import { mergeCustomer } from "../merge/merge.ts";
import { type ChangeOrigin, identitiesOf, ownerOf, phoneIdentity } from "../shared.ts";

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

/**
 * Refuses an unproven number another customer holds as an identity (`conflict` on `phone`): kept on this profile, the
 * messages this customer consents to would reach the holder, and identities are one customer's. Proving the number
 * (`phoneVerified`) links or merges the holder instead. A number merely typed on another profile is no one's yet:
 * whoever proves it first holds it. The caller holds the phone's registration lock (`lockIdentities`): no registration,
 * proof or till enrolment of the number commits between this look-up and the caller's write. A till's sale creating a
 * customer by the number takes no such lock, so the number may still end typed here and held there; and a number
 * typed first stays on the profile when another customer proves it later. Messages read the phone through
 * `reachablePhoneSql` (@regulars/ledger-store) for both: a typed number someone else holds reaches no one from here.
 */
export async function refusePhoneOfAnother(tx: DbTx, tenantId: string, customerId: string | null, phone: string) {
  const holder = await ownerOf(tx, tenantId, phoneIdentity(phone));
  if (holder && holder !== customerId)
    throw new DomainError("conflict", "this phone number belongs to another customer of this brand", [
      { path: "phone", message: "belongs to another customer: prove it by SMS (phoneVerified: true) to link them" },
    ]);
}

/**
 * Refuses to unlink the proven number of a customer found by phone alone (no sign-in identity, no card): the tills
 * and the app's phone sign-in would no longer find them, and the next registration by that number would be a new
 * account with its own welcome coupons, the points left behind. Their new number replaces it once proven.
 */
export async function refuseUnlinkingLastIdentity(tx: DbTx, tenantId: string, customerId: string) {
  const identities = await identitiesOf(tx, tenantId, customerId);
  if (identities.some((i) => i.kind === "phone") && identities.every((i) => i.kind === "phone"))
    throw new DomainError("conflict", "this customer is found by their phone number alone", [
      {
        path: "phone",
        message: "prove the new number by SMS first (phoneVerified: true): it then replaces the old one",
      },
    ]);
}
