import { type BasketDifference, type HeldBasket, type SaleBasket, saleBasketDifference } from "@regulars/checkout";
import { type CustomerRef, identityOf } from "@regulars/contracts";
import { type Db, Prisma, type SqlReader, sqlArray } from "@regulars/db";
import { identityOwner, spelledIdentity } from "../customers/identity-owner.ts";
import { survivorsStatement } from "../customers/resolve.ts";

/** A sale as posted, with the hold it names (if any) and its customer. */
export interface SaleNamingHold extends SaleBasket {
  type: "sale" | "refund";
  holdId?: string | null;
  customer?: CustomerRef | null;
}

/**
 * Why the ledger would not commit the hold a sale names although it is held: `hold_mismatch` for a sale of another
 * basket (`issue` names its first difference) or of another customer than the hold's (`customer`),
 * `hold_unconfirmed` for a hold still waiting for its customer's one-time code (`codeExpiresAt`: when the code
 * stops being usable).
 */
export type SaleHoldRefusal =
  | { code: "hold_mismatch"; issue: BasketDifference }
  | { code: "hold_unconfirmed"; codeExpiresAt: Date };

interface HoldFound {
  n: string;
  locationId: string;
  channel: string;
  lines: HeldBasket["lines"] | null;
  /** The hold is a guest's, or the customer the sale names (resolved as the ledger resolves it) is the hold's. */
  customerMatches: boolean;
  /** The expiry of the code the hold still waits for; null when it needs none or was confirmed. */
  codeExpiresAt: Date | null;
}

/**
 * For each sale, why the ledger would commit nothing of the hold it names, or null: for a sale naming no hold, and for
 * one whose hold is not the tenant's, not held or past its expiry at `at` (the ledger commits none of those either,
 * and such a sale goes through as it always has). The till gave the hold's discounts already: a sale naming a held
 * hold that the ledger would not commit (`commitSaleCheckout`) is refused here, or those discounts are given for
 * nothing. The customer is resolved as the ledger resolves it (an identity's customer, an id's survivor); a guest's
 * hold goes with any customer. One statement for all the sales naming a hold, none when no sale does.
 */
export async function saleHoldRefusals(
  reader: SqlReader,
  tenantId: string,
  sales: readonly SaleNamingHold[],
  at: Date,
): Promise<(SaleHoldRefusal | null)[]> {
  const naming = sales.flatMap((s, i) => (s.type === "sale" && s.holdId ? [{ i, holdId: s.holdId, s }] : []));
  if (!naming.length) return sales.map(() => null);
  const refs = naming.map(({ s }) => (s.customer ? identityOf(s.customer) : null));
  // A phone by both its spellings, as the ledger resolves it.
  const spelled = refs.map((r) => (r && "kind" in r ? spelledIdentity(r) : null));
  const kind = spelled.map((r) => r?.kind ?? null);
  const value = spelled.map((r) => r?.value ?? null);
  const other = spelled.map((r) => r?.otherSpelling ?? null);
  const byId = refs.map((r) => (r && "customerId" in r ? r.customerId : null));
  const rows = await reader.rows<HoldFound>(Prisma.sql`
    SELECT w.n::text AS n, h.location_id AS "locationId", h.channel, h.quote->'lines' AS lines,
      (h.customer_id IS NULL OR h.customer_id = coalesce(
        ${identityOwner(Prisma.sql`${tenantId}`, Prisma.sql`w.kind`, Prisma.sql`w.value`, Prisma.sql`w.other`)}, s.survivor_id)
      ) AS "customerMatches",
      c.expires_at AS "codeExpiresAt"
    FROM unnest(${sqlArray(naming.map((n) => n.holdId))}::text[], ${sqlArray(kind)}::text[],
                ${sqlArray(value)}::text[], ${sqlArray(other)}::text[], ${sqlArray(byId)}::text[])
      WITH ORDINALITY AS w(hold_id, kind, value, other, ref, n)
    JOIN checkout_holds h ON h.id = w.hold_id AND h.tenant_id = ${tenantId} AND h.status = 'held' AND h.expires_at > ${at}
    LEFT JOIN (${survivorsStatement(byId.filter((id): id is string => id !== null))}) s
      ON s.id = w.ref AND s.tenant_id = ${tenantId}
    LEFT JOIN hold_confirmations c ON c.hold_id = h.id AND c.confirmed_at IS NULL`);
  const found = new Map(rows.map((r) => [Number(r.n) - 1, r]));
  const refusals: (SaleHoldRefusal | null)[] = sales.map(() => null);
  naming.forEach(({ i, s }, k) => {
    const hold = found.get(k);
    if (hold) refusals[i] = refusalOf(hold, s);
  });
  return refusals;
}

function refusalOf(hold: HoldFound, sale: SaleNamingHold): SaleHoldRefusal | null {
  if (!hold.customerMatches)
    return {
      code: "hold_mismatch",
      issue: {
        path: "customer",
        message: sale.customer
          ? "is not the customer the hold was placed for"
          : "is missing: the hold was placed for a customer, and only a sale of that customer uses it",
      },
    };
  if (hold.codeExpiresAt) return { code: "hold_unconfirmed", codeExpiresAt: new Date(hold.codeExpiresAt) };
  const difference = saleBasketDifference(
    { locationId: hold.locationId, channel: hold.channel, lines: hold.lines ?? [] },
    sale,
  );
  return difference ? { code: "hold_mismatch", issue: difference } : null;
}

/**
 * Marks the holds that sales about to be stored name as claimed at `at` (the time the gateway received them), those
 * still held and before their expiry; `saleHoldRefusals` found nothing against them. Accepted must mean done: the
 * ledger commits a hold whose sale was received before its expiry however late it applies the sale, so the sweep and a
 * new hold of the customer leave a claimed hold reserved for `CLAIM_GRACE_MS` after its expiry (`holdLapsed`), and a
 * later sale naming it does not end it before then (`commitSaleCheckout`). The claim comes before the sale is stored,
 * or the hold could be ended as expired while the sale is on its way. The first claim is kept. A claim whose sale is
 * then not stored only keeps the hold reserved until that grace ends; one whose sale the ledger rejects is given back
 * with the rejection (`releaseRejectedSalesClaims`).
 */
export async function claimHeldHolds(db: Db, tenantId: string, holdIds: readonly string[], at: Date): Promise<void> {
  if (!holdIds.length) return;
  await db.$executeRaw`
    UPDATE checkout_holds SET claimed_at = ${at}
    WHERE tenant_id = ${tenantId} AND id = ANY(${sqlArray([...new Set(holdIds)])}::text[]) AND status = 'held'
      AND expires_at > ${at} AND claimed_at IS NULL`;
}
