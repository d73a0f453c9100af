-- Each customer's lifetime sale totals on their `customers` row: items bought, and items per product tag, so a
-- segment's tag affinity (items tagged X over all items, lifetime) is a test on the row, not a scan of facts.
-- Why:
-- * At a million customers the affinity summed every customer's transactions with FINAL (most granules of the
--   table) and was the one condition that kept a preview above a second (bench:segments).
-- * The totals come from Postgres' profile facts (profile_orders, one row per transaction, so a redelivered
--   sale counts once) in the same read as the rest of the snapshot: sales only, a tag once per line, refunds
--   left out, as the behavioural profile defines affinity. The profile writer writes a fresh snapshot of the
--   customer after it records a sale, so the totals are never older than the facts (see customer-snapshots.ts).
-- * Map(LowCardinality(String), Int64), as on transactions (0004): a small vocabulary; a tag it lacks reads 0.
-- * Rows stored before this migration get their totals from the transactions already in ClickHouse: a copy of
--   each with them, its version a microsecond later, replaces it on merge and in every FINAL read. A snapshot
--   taken after that copy (a later read of Postgres) replaces it in turn. Rerunning copies nothing twice: only
--   rows still without items are copied.

ALTER TABLE {db}.customers ADD COLUMN IF NOT EXISTS item_count Int64 DEFAULT 0 AFTER created_at;

ALTER TABLE {db}.customers ADD COLUMN IF NOT EXISTS tag_quantities Map(LowCardinality(String), Int64) AFTER item_count;

INSERT INTO {db}.customers (tenant_id, customer_id, tier, consents, has_email, has_phone, has_date_of_birth,
    birth_month, birth_day, registered_at, created_at, item_count, tag_quantities, version)
SELECT c.tenant_id, c.customer_id, c.tier, c.consents, c.has_email, c.has_phone, c.has_date_of_birth,
    c.birth_month, c.birth_day, c.registered_at, c.created_at, s.items, s.tagged, c.version + 1
FROM {db}.customers AS c FINAL
INNER JOIN (
    SELECT tenant_id, customer_id, sum(item_count) AS items, sumMap(tag_quantities) AS tagged
    FROM {db}.transactions FINAL
    WHERE type = 'sale' AND customer_id != ''
    GROUP BY tenant_id, customer_id
    HAVING items > 0
) AS s ON s.tenant_id = c.tenant_id AND s.customer_id = c.customer_id
WHERE c.item_count = 0;
