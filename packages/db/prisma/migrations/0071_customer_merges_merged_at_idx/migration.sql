-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that customers can still be merged while it builds (see 0030).
--
-- A tier pass for a programme version that qualifies members as the last pass's did judges only the survivors of
-- the merges made since that pass (`survivorsOfMerges` in @regulars/ledger-store), read slice by slice: by tenant and
-- time, the merges of the last hours, not every merge the tenant ever made.
CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_merges_tenant_merged_at_idx ON customer_merges (tenant_id, merged_at);
