import { phoneSpellings } from "@regulars/contracts";
import { Prisma } from "@regulars/db";

/**
 * An identity as `identityOwner` asks for it: a phone by its preferred spelling, with its other spelling (a till's
 * `+480604100077` for the app's `+48604100077`, and the other way round: `phoneSpellings`), null for anything else.
 */
export function spelledIdentity(identity: { kind: string; value: string }): {
  kind: string;
  value: string;
  otherSpelling: string | null;
} {
  if (identity.kind !== "phone") return { ...identity, otherSpelling: null };
  const [value, otherSpelling = null] = phoneSpellings(identity.value).all;
  return { kind: identity.kind, value: value!, otherSpelling };
}

/**
 * The customer an identity names, as a scalar subquery over the given SQL (null when nobody holds it). Its arguments
 * are SQL, so a statement can ask it for each row of a batch (`w.value`) or for one parameter.
 *
 * A card is looked up by its upper-case spelling (`identityOf`, @regulars/contracts). Migration 0059 gave every card
 * stored in another case that spelling, except a card that different customers hold in different cases (`card-9`
 * and `Card-9`), which only an admin can settle (a merge). Until then such a card still names one customer, the same
 * every time, rather than none (a sale would enrol a new, empty one): its upper-case holder when there is one, else
 * the oldest customer holding it in another case. The second branch reads only the partial index of those legacy
 * spellings (customer_identities_card_other_case_idx), which holds nothing else.
 *
 * A phone is asked by its preferred spelling (`value`) and its other one (`otherSpelling`, SQL null when none:
 * `spelledIdentity`). When two customers hold one each (split before look-ups knew both, until
 * `foldPhoneSpellings` of customers-store merges them), the valid spelling's customer is the one named: the one the
 * app registers and new identities are stored under.
 */
export const identityOwner = (
  tenantId: Prisma.Sql,
  kind: Prisma.Sql,
  value: Prisma.Sql,
  otherSpelling: Prisma.Sql = Prisma.sql`NULL::text`,
): Prisma.Sql => Prisma.sql`(
  SELECT o.customer_id FROM (
    SELECT i.customer_id, 0 AS rank, NULL::timestamptz AS since FROM customer_identities i
    WHERE i.tenant_id = ${tenantId} AND i.kind = ${kind} AND i.value = ${value}
    UNION ALL
    SELECT i.customer_id, 1, NULL::timestamptz FROM customer_identities i
    WHERE i.tenant_id = ${tenantId} AND i.kind = ${kind} AND i.value = ${otherSpelling}
    UNION ALL
    SELECT i.customer_id, 2, c.created_at FROM customer_identities i JOIN customers c ON c.id = i.customer_id
    WHERE ${kind}::text = 'card' AND i.tenant_id = ${tenantId} AND i.kind = 'card' AND i.value <> upper(i.value)
      AND upper(i.value) = ${value}
  ) o ORDER BY o.rank, o.since, o.customer_id LIMIT 1)`;

/**
 * A customer's phone as a message may use it, as SQL over a `customers` row (`alias`): null when another customer
 * holds the number as an identity. A number only typed on a profile (the app's unproven phone) is no one's yet, and
 * whoever proves it first, or a till enrolling a customer by it, holds it. From then on it reaches the holder, and
 * the typer's consent to SMS must not send to it: the holder's consents decide what they receive. This also covers a
 * till's sale that enrolled the number while an app registration typed it (the registration's check of the holder
 * cannot see a customer the ledger has not committed yet).
 */
export function reachablePhoneSql(alias: string): Prisma.Sql {
  const c = Prisma.raw(alias);
  return Prisma.sql`CASE WHEN NOT EXISTS (
      SELECT 1 FROM customer_identities held
      WHERE held.tenant_id = ${c}.tenant_id AND held.kind = 'phone' AND held.value = ${c}.phone
        AND held.customer_id <> ${c}.id) THEN ${c}.phone END`;
}
