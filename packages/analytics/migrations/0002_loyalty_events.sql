-- Loyalty events (points earned, redeemed, expiring, expired, milestones, tier changes, stamp cards, coupons
-- issued and redeemed) as the ledger and the coupon wallet publish them, for the dashboard and analysts.
-- Why the choices below:
-- * ReplacingMergeTree(ingested_at) and FINAL in every read, as for the other facts: the consumer acks after
--   the insert, so a crash in between redelivers the batch, and the outbox relay may publish an event again
--   after JetStream's duplicate window. insert_deduplication_token would not help: it drops a repeated
--   block, and a redelivered event comes back in a batch of a different make-up. The key is built from the
--   event alone (its stable id, type and time), so every copy of one event has the same key.
-- * ORDER BY (tenant_id, type, occurred_at, id): the dashboard reads one tenant's events of a few types over
--   a time range; per-customer reads (balances, latest tier) group within those ranges. The bloom filter
--   on customer_id serves lookups of one customer (profiles, erasure) that the key does not.
-- * One wide table rather than one per type: few columns per type, one consumer, one insert per batch.
--   Columns a type does not have hold their empty value ('' / 0 / false); `details` keeps the event's own
--   fields as JSON text, so a field without a column (a milestone's threshold, a coupon's source) is kept.
-- * points is the positive number of points the event moves (earned, redeemed, expiring, expired), 0 for
--   other types; movement_kind says where earned points came from (earn, bonus, adjust, reverse for points a
--   refund gave back, transfer_in for a merge).

CREATE TABLE IF NOT EXISTS {db}.loyalty_events
(
    tenant_id      String,
    id             String,
    type           LowCardinality(String),
    occurred_at    DateTime64(3, 'UTC'),
    customer_id    String,
    points         Int64,
    balance        Int64,
    movement_kind  LowCardinality(String),
    pending        Bool,
    transaction_id String,
    tier_from      LowCardinality(String),
    tier_to        LowCardinality(String),
    campaign_id    String,
    code           String,
    discount       Int64,
    returned       Bool,
    details        String,
    ingested_at    DateTime64(3, 'UTC') DEFAULT now64(3),
    INDEX loyalty_events_customer_idx customer_id TYPE bloom_filter GRANULARITY 4
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (tenant_id, type, occurred_at, id);
