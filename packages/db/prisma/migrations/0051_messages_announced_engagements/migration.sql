-- regulars:no-transaction
-- Outside a transaction, so that the column's lock on `messages` lasts only the ALTER (no rewrite: a constant
-- default), not the backfill after it: in one transaction every link redirect, pixel, receipt and sender waited for
-- the whole backfill (20 s for 2M messages). Each statement may run again (the next start repeats them all).
-- The opens and clicks of a message already announced (`opened`, `clicked:<link key>` as in the event's id), so the
-- tracker writes `message.opened` once per message and `message.clicked` once per message and link for good: the
-- events' stable ids kept them once only while the outbox held them, and published rows are pruned after a week, so
-- a customer tapping a link in an old SMS announced the click again (and triggered campaigns fired again).
-- Deliveries and bounces need no such record: `delivered_at` and `failed_at` are set by the first one.
-- A constant default: no rewrite of the table. A link key is a hash of the destination, never the link itself, and
-- the column goes with its row (erasure deletes the customer's messages).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS announced_engagements text[] NOT NULL DEFAULT '{}';
-- Messages engaged with before: an open pixel is known to have been announced when the open came before any click (a
-- click sets both times at once); the opens and clicks of the last week are read from the outbox rows still kept.
-- Clicks pruned from the outbox before this name no link: such a link clicked again is announced once more.
WITH announced AS (
  SELECT id AS message_id, 'opened' AS engagement FROM messages
  WHERE opened_at IS NOT NULL AND (clicked_at IS NULL OR opened_at < clicked_at)
  UNION
  SELECT split_part(id, ':', 2),
    CASE type WHEN 'message.opened' THEN 'opened' ELSE 'clicked:' || split_part(id, ':', 3) END
  FROM outbox_events WHERE type IN ('message.opened', 'message.clicked')
)
UPDATE messages m SET announced_engagements = a.engagements
FROM (SELECT message_id, array_agg(engagement ORDER BY engagement) AS engagements FROM announced GROUP BY message_id) a
WHERE m.id = a.message_id AND m.announced_engagements IS DISTINCT FROM a.engagements;
