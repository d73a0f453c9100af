-- A transactional message is one the customer asked for by what they are doing: the code that confirms wallet cash
-- spent at a till. It needs no marketing consent, counts against no frequency cap, goes to the address it was
-- queued for, jumps ahead of any campaign's backlog, and is worthless after `expires_at` (cancelled, not sent).
-- Its text is blanked once it is sent, failed or cancelled, so the table keeps no code beyond its use.
ALTER TABLE messages ADD COLUMN transactional boolean NOT NULL DEFAULT false;
ALTER TABLE messages ADD COLUMN expires_at timestamptz(3);
ALTER TABLE messages ADD CONSTRAINT messages_transactional_expiry
  CHECK (NOT transactional OR (expires_at IS NOT NULL AND campaign_id IS NULL));
-- The claim reads these first, through their own small index, whatever a broadcast has queued before them.
CREATE INDEX messages_transactional_due_idx ON messages (channel, next_attempt_at)
  WHERE status = 'queued' AND transactional;
