import { type RawTx, sqlArray } from "@regulars/db";
import type { LoyaltyState } from "@regulars/ledger";
import type { SaleUpgrade } from "@regulars/rules";

/**
 * The tier upgrades of the customers' transactions that no refund took back: every sale's that upgraded (and every
 * refund's that left a skipped level of one), less those a refund's `tierRevoked` names, or, stored before it named
 * them, took back from its own sale. The tier job's upgrades (`customer_loyalty.job_upgrades`, under the id
 * `programme:<version>`) count too, less those a refund named: a sale's upgrade beneath one is then still reached.
 * A refund then takes back every one the remaining value no longer backs, not only its sale's own
 * (`upgradesInForce` picks the ones the tier held rests on). One statement for every customer.
 */
export async function loadUpgrades(
  tx: RawTx,
  tenantId: string,
  states: Map<string, LoyaltyState>,
  into: "upgrades" | "tierHistory" = "upgrades",
): Promise<void> {
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
    UNION ALL
    SELECT u->>'id', l.customer_id, (u->>'at')::timestamptz, u->'tier' FROM customer_loyalty l
      CROSS JOIN LATERAL jsonb_array_elements(l.job_upgrades) u
    WHERE l.tenant_id = ${tenantId} AND l.customer_id = ANY(${sqlArray(ids)}::text[])
      AND NOT EXISTS (
        SELECT 1 FROM transactions r
        WHERE r.tenant_id = l.tenant_id AND r.customer_id = l.customer_id AND r.type = 'refund'
          AND r.effects->'tierRevoked'->'sales' @> jsonb_build_array(u->>'id'))
    ORDER BY 2, 3, 1`;
  for (const state of states.values()) state[into] = [];
  for (const r of rows) states.get(r.customer_id)?.[into]?.push({ saleId: r.id, at: r.occurred_at, upgrade: r.tier });
}

/**
 * Loads the upgrades (`tierHistory`) of the customers with a transaction in the batch dated before their `tierSince`,
 * and of no other: such a late sale earns at the tier held when it happened (`tierHeldAt`), found by walking back
 * the upgrades made since. Nothing is read for a batch of sales in order, nor where `upgrades` is loaded already.
 */
export async function loadTierHistoryOfLateSales(
  tx: RawTx,
  tenantId: string,
  states: ReadonlyMap<string, LoyaltyState>,
  timesOfs: readonly (ReadonlyMap<string, readonly string[]> | undefined)[],
): Promise<void> {
  const late = new Map<string, LoyaltyState>();
  for (const timesOf of timesOfs)
    for (const [id, times] of timesOf ?? []) {
      const state = states.get(id);
      const since = state?.tierSince?.getTime();
      if (state && !state.upgrades && since !== undefined && times.some((at) => Date.parse(at) < since))
        late.set(id, state);
    }
  if (late.size) await loadUpgrades(tx, tenantId, late, "tierHistory");
}
