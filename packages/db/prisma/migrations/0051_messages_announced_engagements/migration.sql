-- The opens and clicks of a message already announced (`opened`, `clicked:<link key>` as in the event's id), so the
-- tracker writes `message.opened` once per message and `message.clicked` once per message and link for good: the
-- events' stable ids kept them once only while the outbox held them, and published rows are pruned after a week, so
-- a customer tapping a link in an old SMS announced the click again (and triggered campaigns fired again).
-- Deliveries and bounces need no such record: `delivered_at` and `failed_at` are set by the first one.
-- A constant default: no rewrite of the table, so its lock lasts an instant; the backfill is 0055's, a transaction of
-- its own that locks only the rows it changes (in this one it held every redirect, pixel, receipt and sender). A link
-- key is a hash of the destination, never the link itself, and the column goes with its row (erasure deletes the
-- customer's messages).
ALTER TABLE messages ADD COLUMN IF NOT EXISTS announced_engagements text[] NOT NULL DEFAULT '{}';
