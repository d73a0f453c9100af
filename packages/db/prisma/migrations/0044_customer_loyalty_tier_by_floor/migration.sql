-- Whether the tier held was given by an admin's tier floor (`setTierFloor` raised it) rather than reached by
-- qualifying (@regulars/ledger-store, `customers/loyalty-state.ts`; judged by `dueForTierJudging` in @regulars/rules).
-- A floor's tier is judged when the floor ends, whatever the floor's level by then; a qualified tier (a rolling
-- window's) is judged a window after `tier_since`, and a floor ending changes nothing for it.
ALTER TABLE customer_loyalty ADD COLUMN tier_by_floor boolean NOT NULL DEFAULT false;

-- Rows from before: a floor that raised the tier left an audit row (`customers.setTierFloor`, tierBefore <> tierAfter)
-- written in the transaction that set `tier_since`; while the floor is still there and the tier is still that one
-- with that `tier_since`, it is the floor's (also when the floor was lowered since). A floor already cleared was
-- cleared by the run that judged its tier at its end (the pass judged a tier at its floor's level then), so the tier
-- it left is a qualified one. A floor without any audit row (none written, or pruned) keeps the guess made until
-- now: a tier at the floor's level is the floor's.
UPDATE customer_loyalty l SET tier_by_floor = true
WHERE l.tier IS NOT NULL AND l.tier_floor IS NOT NULL AND (
  EXISTS (
    SELECT 1 FROM audit_log a
    WHERE a.tenant_id = l.tenant_id AND a.action = 'customers.setTierFloor' AND a.target = l.customer_id
      AND a.details->>'tierAfter' = l.tier AND a.details->>'tierBefore' IS DISTINCT FROM a.details->>'tierAfter'
      AND a.created_at BETWEEN l.tier_since - interval '1 minute' AND l.tier_since + interval '1 minute')
  OR (l.tier = l.tier_floor AND NOT EXISTS (
    SELECT 1 FROM audit_log a
    WHERE a.tenant_id = l.tenant_id AND a.action = 'customers.setTierFloor' AND a.target = l.customer_id)));
