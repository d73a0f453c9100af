-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that the ledger keeps saving customers' tiers while it builds
-- (see 0030).
--
-- Every run of the tier job asks which tiers a tenant's customers hold, to find a tier the programme in force no
-- longer has (`applyTierDowngrades` in @regulars/ledger-store). A loose index scan over this index reads one entry
-- per distinct tier instead of every customer.
CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_loyalty_tier_idx ON customer_loyalty (tenant_id, tier);
