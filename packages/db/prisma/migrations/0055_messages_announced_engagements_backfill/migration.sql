-- The backfill of 0051's `announced_engagements`, in a transaction of its own: one with the column's ALTER kept
-- `messages` locked for reads and writes until it ended (20 s for 2M messages); alone it locks only the rows it sets.
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
