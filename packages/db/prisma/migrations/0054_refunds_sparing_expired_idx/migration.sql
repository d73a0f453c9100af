-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that the ledger keeps storing transactions while it builds
-- (see 0030).
--
-- A refund of a sale whose points had expired does not take those points again (`expired` in its effects), yet they
-- no longer count as earned: a tier on points earned subtracts them with the reversals, read for every batch's
-- customers (`qualifyingStatement` in @regulars/ledger-store). Only such refunds are in this index, few in any
-- tenant, so the common case is one probe that finds nothing, not a read of the customer's history.
CREATE INDEX CONCURRENTLY IF NOT EXISTS transactions_refunds_expired_idx
  ON transactions (tenant_id, customer_id, occurred_at) WHERE type = 'refund' AND effects ? 'expired';
