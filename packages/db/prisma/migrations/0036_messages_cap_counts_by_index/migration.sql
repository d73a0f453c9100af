-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that senders keep queueing and recording messages while they build
-- (see 0030).
--
-- Before a capped message goes, the sender reads the customer's messages its cap windows may hold (`sendsAround` in
-- @regulars/messages-store): sent ones by when they went out, queued ones of any age. Through messages_customer_idx
-- (tenant, customer, send_at) only the window's end bounded that read, so it read every message the customer was
-- ever sent, for every capped message claimed: for a customer with 731 past messages, 731 rows read to keep one.
-- Sent ones by the moment they went out, the time the window is about (transactional ones count against no cap):
CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_customer_sent_idx
  ON messages (tenant_id, customer_id, (coalesce(sent_at, send_at)))
  WHERE status IN ('sent', 'delivered', 'opened', 'clicked') AND NOT transactional;
-- Queued ones, however old (a paused campaign held them), which are few per customer at any time:
CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_customer_queued_idx
  ON messages (tenant_id, customer_id, send_at) WHERE status = 'queued' AND NOT transactional;
