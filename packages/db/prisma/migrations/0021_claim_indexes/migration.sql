-- The senders claim per channel (messages) and per endpoint (webhook deliveries), each up to its room, so that a
-- channel or receiver at its share of the slots is not read at all. The due indexes lead with that key; the old
-- ones by due time alone made a claim walk a whole broadcast's backlog when its one channel or endpoint was full.
DROP INDEX messages_due_idx;
CREATE INDEX messages_due_idx ON messages (channel, next_attempt_at) WHERE status = 'queued';
DROP INDEX webhook_deliveries_due_idx;
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (endpoint_id, next_attempt_at) WHERE status = 'pending';
