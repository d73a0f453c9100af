import { type BasketDifference, type HeldBasket, type SaleBasket, saleBasketDifference } from "@regulars/checkout";
import { Prisma, type SqlReader, sqlArray } from "@regulars/db";

/** A sale as posted, with the hold it names (if any). */
export interface SaleNamingHold extends SaleBasket {
  type: "sale" | "refund";
  holdId?: string | null;
}

/**
 * For each sale, where it first differs from the basket its hold was priced on (`saleBasketDifference`), or null:
 * for a sale naming no hold, and for one whose hold is not the tenant's, not held or past its expiry at `at` (the
 * ledger commits none of those, so the sale goes through as it always has). One statement for all the sales naming
 * a hold, none when no sale does: the posts that pay for it are those that name a hold.
 */
export async function heldBasketDifferences(
  reader: SqlReader,
  tenantId: string,
  sales: readonly SaleNamingHold[],
  at: Date,
): Promise<(BasketDifference | null)[]> {
  const holdIds = [...new Set(sales.flatMap((s) => (s.type === "sale" && s.holdId ? [s.holdId] : [])))];
  if (!holdIds.length) return sales.map(() => null);
  const rows = await reader.rows<{ id: string; locationId: string; lines: HeldBasket["lines"] | null }>(Prisma.sql`
    SELECT id, location_id AS "locationId", quote->'lines' AS lines FROM checkout_holds
    WHERE tenant_id = ${tenantId} AND id = ANY(${sqlArray(holdIds)}::text[]) AND status = 'held' AND expires_at > ${at}`);
  const held = new Map(rows.map((r) => [r.id, { locationId: r.locationId, lines: r.lines ?? [] }]));
  return sales.map((s) => {
    const basket = s.type === "sale" && s.holdId ? held.get(s.holdId) : undefined;
    return basket ? saleBasketDifference(basket, s) : null;
  });
}
