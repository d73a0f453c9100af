-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that the ledger keeps deciding events while it builds (see 0030).
--
-- The retention setting that erases inactive customers counts an app event decided for the customer as activity,
-- one that paid no points too (`dormantCustomers` in @regulars/privacy): asked per candidate and per id the person
-- was, by customer and time, not a read of the tenant's every event. A privacy export or erasure reads the person's
-- events by customer through it too.
CREATE INDEX CONCURRENTLY IF NOT EXISTS applied_events_customer_idx ON applied_events (tenant_id, customer_id, applied_at);
