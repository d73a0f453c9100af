-- regulars:no-transaction
-- Built concurrently, outside a transaction, so that senders keep queueing and recording messages while it builds
-- (see 0030).
--
-- Retention clears old messages' addresses and texts a slice at a time in id order (`clearOldMessages` in
-- @regulars/privacy). Only rows that left the queue and still hold an address are in this index, so a pass reads
-- what it may clear and nothing it cleared before.
CREATE INDEX CONCURRENTLY IF NOT EXISTS messages_retention_idx
  ON messages (tenant_id, id) WHERE status <> 'queued' AND to_address <> '';
