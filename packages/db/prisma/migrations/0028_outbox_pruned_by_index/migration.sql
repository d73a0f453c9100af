-- The scheduled pass prunes published outbox rows older than a week, every minute. No index led with
-- published_at, so each pass read the whole table to learn that nothing was due yet: 1.35 s and 4 GB of pages
-- for a week of ledger batches (2M rows, measured here), every minute. Expiry notices stay until the expiry
-- they announced has passed (the notice job knows what it announced by them); the second index finds those
-- whose expiry passed. expiresAt is always written by toISOString (UTC, one layout), so its text sorts as time.
-- Built inside the migration's transaction, these block writes to outbox_events while they build: on a large
-- table, build them first by hand with CREATE INDEX CONCURRENTLY (same names and definitions), and these
-- statements pass over them.
CREATE INDEX IF NOT EXISTS outbox_events_published_idx
  ON outbox_events (published_at) WHERE published_at IS NOT NULL AND type <> 'points.expiring';
CREATE INDEX IF NOT EXISTS outbox_events_notice_expiry_idx
  ON outbox_events ((payload->>'expiresAt')) WHERE published_at IS NOT NULL AND type = 'points.expiring';
