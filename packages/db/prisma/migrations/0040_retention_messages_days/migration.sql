-- A tenant's retention of sent messages (@regulars/privacy): after how many days a message that left the queue
-- loses its address, text and provider's error. Null keeps them. Rows saved before this column existed get the
-- default, the same 400 days those tenants had.
ALTER TABLE retention_settings ADD COLUMN messages_days integer DEFAULT 400
  CHECK (messages_days BETWEEN 30 AND 3650);
