-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that tills keep placing holds while it builds (see 0030).
--
-- A hold that spends wallet cash waits for a one-time code sent to its customer; how many codes a customer was sent
-- and how many wrong ones were tried over the last day limits the next (`customerCodeCounts` in
-- @regulars/ledger-store). Read under the customer's lock for each such hold and each code tried: by customer and
-- time, and only holds that spend wallet cash, not a read of every hold the customer ever had.
CREATE INDEX CONCURRENTLY IF NOT EXISTS checkout_holds_wallet_by_customer_idx
  ON checkout_holds (tenant_id, customer_id, created_at) WHERE wallet > 0;
