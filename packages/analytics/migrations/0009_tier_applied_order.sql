-- The order the ledger applied a customer's tier changes in (tier.changed `appliedAt`, `appliedIndex`): the
-- dashboard's tier of a member is that of their latest change in this order. Why:
-- * Neither `occurred_at` nor `ingested_at` is that order: an offline sale uploaded days late changes the tier after a
--   live sale of today, and a refund may be dated before its sale; one insert records every change of a consumer
--   batch at the same `ingested_at`.
-- * The database's clock at the change, to the microsecond, taken under the customer's lock, and the change's place
--   among those written at that instant: two columns, compared as a pair.
-- * Rows written before: 1970 and 0, so any stamped change of the member outranks them (it was applied after them),
--   and among themselves they keep the order they had (`ingested_at`, then `occurred_at`).
-- * Not in the sorting key: a redelivered event has the same stamp (the outbox row keeps it), and the key stays the
--   event's own.

ALTER TABLE {db}.loyalty_events ADD COLUMN IF NOT EXISTS tier_applied_at DateTime64(6, 'UTC')
    DEFAULT toDateTime64(0, 6, 'UTC') AFTER tier_to;

ALTER TABLE {db}.loyalty_events ADD COLUMN IF NOT EXISTS tier_applied_index UInt32 DEFAULT 0 AFTER tier_applied_at;
