import { type RawTx, sqlArray } from "@regulars/db";
import type { LoyaltyState } from "@regulars/ledger";
import type { SaleUpgrade } from "@regulars/rules";

/**
 * The tier upgrades of the customers' transactions that no refund took back: every sale's that upgraded (and every
 * refund's that left a skipped level of one), less those a refund's `tierRevoked` names, or, stored before it named
 * them, took back from its own sale. A refund then takes back every one the remaining value no longer backs, not only
 * its sale's own (`upgradesInForce` picks the ones the tier held rests on). One statement for every customer.
 */
export async function loadUpgrades(tx: RawTx, tenantId: string, states: Map<string, LoyaltyState>): Promise<void> {
  const ids = [...states.keys()];
  if (!ids.length) return;
  const rows = await tx.$queryRaw<
    { id: string; customer_id: string; occurred_at: Date; tier: SaleUpgrade["upgrade"] }[]
  >`
    SELECT t.id, t.customer_id, t.occurred_at, t.effects->'tier' AS tier FROM transactions t
    WHERE t.tenant_id = ${tenantId} AND t.customer_id = ANY(${sqlArray(ids)}::text[])
      AND jsonb_typeof(t.effects->'tier') = 'object'
      AND NOT EXISTS (
        SELECT 1 FROM transactions r
        WHERE r.tenant_id = t.tenant_id AND r.customer_id = t.customer_id AND r.type = 'refund'
          AND jsonb_typeof(r.effects->'tierRevoked') = 'object'
          AND (r.effects->'tierRevoked'->'sales' @> jsonb_build_array(t.id)
            OR (t.type = 'sale' AND r.refund_of = t.external_id AND r.effects->'tierRevoked'->'sales' IS NULL)))
    ORDER BY t.customer_id, t.occurred_at, t.id`;
  for (const state of states.values()) state.upgrades = [];
  for (const r of rows) states.get(r.customer_id)?.upgrades?.push({ saleId: r.id, at: r.occurred_at, upgrade: r.tier });
}
