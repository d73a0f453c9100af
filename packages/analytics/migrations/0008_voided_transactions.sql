-- The sales their refunds voided, and those refunds: no order in segments (packages/profiles/README.md), as the
-- Postgres profile leaves them out. Written by the profile writer from its facts (profile_orders.voided, Postgres
-- migration 0067), judged there as the order-count tier basis judges a sale: all its money given back, or, for a sale
-- paid wholly with points or wallet, every line named by its refunds. Why:
-- * A table of its own rather than a column on `transactions`: the analytics writer stores a sale before any refund
--   exists, and a column rewritten later would need FINAL on every order count (counts read the parts as they are).
--   Segments subtract a set of ids (`id NOT IN`), which duplicates cannot change: no FINAL here either.
-- * Only voids: a void is never undone (refunds are only ever added), so a row, once written, stays true.
-- * No customer_id: transaction ids are not personal, and a merge or an erasure re-keys nothing here.
-- * ORDER BY (tenant_id, transaction_id): segments read one tenant's set.
-- * The backfill judges what ClickHouse can: sales that cost money, refunded in full by money. A sale paid without
--   money, already voided before this migration, needs the refunds' line numbers, which only Postgres holds: it is
--   written when the profile writer next records it or one of its refunds. Rerunning inserts copies of the same keys,
--   which merges collapse and the set ignores.

CREATE TABLE IF NOT EXISTS {db}.voided_transactions
(
    tenant_id      String,
    transaction_id String,
    recorded_at    DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(recorded_at)
ORDER BY (tenant_id, transaction_id);

INSERT INTO {db}.voided_transactions (tenant_id, transaction_id)
WITH voided AS (
    SELECT s.tenant_id AS tenant_id, s.id AS id, s.external_id AS external_id
    FROM {db}.transactions AS s FINAL
    INNER JOIN (
        SELECT tenant_id, refund_of, sum(total) AS refunded
        FROM {db}.transactions FINAL
        WHERE type = 'refund'
        GROUP BY tenant_id, refund_of
    ) AS r ON r.tenant_id = s.tenant_id AND r.refund_of = s.external_id
    WHERE s.type = 'sale' AND s.total > 0 AND r.refunded >= s.total
)
SELECT tenant_id, id FROM voided
UNION ALL
SELECT t.tenant_id, t.id
FROM {db}.transactions AS t FINAL
INNER JOIN voided AS v ON v.tenant_id = t.tenant_id AND v.external_id = t.refund_of
WHERE t.type = 'refund';
