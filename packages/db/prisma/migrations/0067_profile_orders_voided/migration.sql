-- A sale its refunds voided is no order of the behavioural profile (packages/profiles/README.md): not in the order
-- counts of any window, nor in the value, the average ticket, the first and last order or the visits per location.
-- Its refunds' facts are marked with it, so the money they gave back leaves the windows with the sale's.
-- The profile writer (@regulars/customers-store, `markVoidedSales`) judges the sale again whenever it records the
-- sale or one of its refunds, in whichever order they arrive; facts recorded before are judged here once.
ALTER TABLE profile_orders ADD COLUMN voided boolean NOT NULL DEFAULT false;

-- Whether the sale `p_external_id` of `p_tenant` is void, as the order-count tier basis judges it
-- (`salesInWindow` in @regulars/ledger-store): a sale that cost money once its refunds gave all of it back (refund
-- lines never exceed their sale's, so that is every line refunded in full); a sale paid wholly with points or wallet
-- (total 0), whose refunds give no money back, once they named every one of its lines. Null for no such sale.
-- Reads the refunds by `transactions_refunds_idx` and the lines by their keys. STABLE: it reads tables.
CREATE FUNCTION profile_sale_voided(p_tenant text, p_external_id text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN s.total > 0 THEN coalesce(r.refunded, 0) >= s.total
    ELSE r.refunds > 0 AND NOT EXISTS (
      SELECT 1 FROM transaction_lines sl
      WHERE sl.transaction_id = s.id AND NOT EXISTS (
        SELECT 1 FROM transactions rt JOIN transaction_lines rl ON rl.transaction_id = rt.id
        WHERE rt.tenant_id = s.tenant_id AND rt.refund_of = s.external_id AND rl.refunds_line_no = sl.line_no))
  END
  FROM transactions s
  CROSS JOIN LATERAL (
    SELECT sum(t.total) AS refunded, count(*) AS refunds FROM transactions t
    WHERE t.tenant_id = s.tenant_id AND t.refund_of = s.external_id
  ) r
  WHERE s.tenant_id = p_tenant AND s.external_id = p_external_id AND s.type = 'sale'
$$;

-- The facts already recorded: each refunded sale judged once, from the refunds' index (sales never refunded, most of
-- them, are not read).
WITH voided AS (
  SELECT s.tenant_id, s.id, s.external_id
  FROM (SELECT DISTINCT tenant_id, refund_of FROM transactions WHERE refund_of IS NOT NULL) r
  JOIN transactions s ON s.tenant_id = r.tenant_id AND s.external_id = r.refund_of AND s.type = 'sale'
  WHERE profile_sale_voided(s.tenant_id, s.external_id)
)
UPDATE profile_orders o SET voided = true
FROM (
  SELECT tenant_id, id AS transaction_id FROM voided
  UNION ALL
  SELECT t.tenant_id, t.id FROM voided v JOIN transactions t ON t.tenant_id = v.tenant_id AND t.refund_of = v.external_id
) f
WHERE o.tenant_id = f.tenant_id AND o.transaction_id = f.transaction_id;
