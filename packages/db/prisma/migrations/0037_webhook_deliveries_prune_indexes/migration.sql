-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that senders keep claiming and recording deliveries while they
-- build (see 0030).
--
-- The senders prune deliveries every hour (`pruneStatements` in @regulars/webhooks-store). Delivered ones by when
-- they were delivered: with no index on delivered_at, each pass read every delivery ever kept through
-- webhook_deliveries_endpoint_idx. Only delivered rows have that time, so the index holds only them:
CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_deliveries_delivered_idx
  ON webhook_deliveries (delivered_at) WHERE status = 'delivered';
-- Failed ones (copies of events, personal data included) a month after their last attempt, or after they were made
-- for those never attempted (raised while their endpoint was disabled):
CREATE INDEX CONCURRENTLY IF NOT EXISTS webhook_deliveries_failed_idx
  ON webhook_deliveries ((coalesce(last_attempt_at, created_at))) WHERE status = 'failed';
