-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that senders keep queueing and recording messages while it builds
-- (see 0030).
--
-- Retention clears old messages' addresses and texts a slice at a time (`clearOldMessages` in @regulars/privacy).
-- Only rows that left the queue and still hold an address are in this index, and by when they were to be sent, so
-- a pass reads the old rows it may clear: neither the recent ones nor those it cleared before.
CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_retention_idx
  ON messages (tenant_id, send_at) WHERE status <> 'queued' AND to_address <> '';
